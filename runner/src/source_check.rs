//! What an exercise module taken from a submission may not contain: the
//! ways Rust code gets control, or data, outside the functions the tests
//! call. A module is only ever compiled into the course's test binary, with
//! the course's dependencies; what is refused here is what could run before
//! the test harness (and so read its secret), replace a symbol of the C
//! runtime or the harness, or read another file in at compile time.
//!
//! An identifier cannot be assembled by a macro without a proc-macro, and a
//! student's module has none of its own, so a scan of the module's tokens
//! (comments and literals skipped) finds every use.

/// One refusal: the line and what was found there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub line: usize,
    pub what: String,
}

/// Identifiers refused wherever they appear, with the reason.
const NAMES: [(&str, &str); 9] = [
    (
        "no_mangle",
        "exports a symbol the linker or the C runtime could pick up",
    ),
    (
        "export_name",
        "exports a symbol the linker or the C runtime could pick up",
    ),
    (
        "link_section",
        "places code or data in a section of its choosing (code there can run before `main`)",
    ),
    ("link_name", "binds to a symbol by its link name"),
    ("link_ordinal", "binds to a symbol by its link name"),
    ("__real_main", "names the course's test harness"),
    ("__wrap_main", "names the course's test harness"),
    ("global_asm", "contains assembly"),
    ("naked_asm", "contains assembly"),
];

/// Macros refused when invoked (`name!`).
const MACROS: [(&str, &str); 4] = [
    ("asm", "contains assembly"),
    (
        "include",
        "reads another file into the module at compile time",
    ),
    (
        "include_str",
        "reads another file into the module at compile time",
    ),
    (
        "include_bytes",
        "reads another file into the module at compile time",
    ),
];

/// Attributes refused (`#[name` or `#![name`), and where `naked` may sit.
const ATTRIBUTES: [(&str, &str); 3] = [
    ("path", "takes its source from another file (`#[path]`)"),
    ("link", "links a library of its choosing (`#[link]`)"),
    ("naked", "is a naked function (assembly)"),
];

/// Every refused construct in `source`, in order.
pub fn refusals(source: &str) -> Vec<Refusal> {
    let tokens = tokens(source);
    let mut found = Vec::new();
    for (i, (line, token)) in tokens.iter().enumerate() {
        let next = tokens.get(i + 1).map(|(_, t)| t.as_str());
        let word = token.strip_prefix("r#").unwrap_or(token);
        let mut refuse = |why: &str| {
            found.push(Refusal {
                line: *line,
                what: format!("`{word}`: {why}"),
            })
        };
        if let Some((_, why)) = NAMES.iter().find(|(n, _)| *n == word) {
            refuse(why);
        } else if next == Some("!")
            && let Some((_, why)) = MACROS.iter().find(|(n, _)| *n == word)
        {
            refuse(why);
        } else if let Some((_, why)) = ATTRIBUTES.iter().find(|(n, _)| *n == word)
            && in_attribute(&tokens, i)
        {
            refuse(why);
        }
    }
    found
}

/// Whether the token at `i` is an attribute's name: right after `#[`,
/// `#![`, or inside `unsafe(` / `cfg_attr(..., ` of one.
fn in_attribute(tokens: &[(usize, String)], i: usize) -> bool {
    let before = |k: usize| i.checked_sub(k).map(|j| tokens[j].1.as_str());
    match before(1) {
        Some("[") => opens_attribute(tokens, i - 1),
        // `#[unsafe(naked)]`, `#[cfg_attr(x, path = ...)]`: any attribute
        // that opens a parenthesis or lists after a comma.
        Some("(") | Some(",") => {
            // Walk back to the `[` that opens the attribute, if any, without
            // leaving it.
            let mut depth = 0i32;
            for j in (0..i).rev() {
                match tokens[j].1.as_str() {
                    ")" | "]" => depth += 1,
                    "(" if depth > 0 => depth -= 1,
                    "[" if depth > 0 => depth -= 1,
                    "[" => return opens_attribute(tokens, j),
                    ";" | "{" | "}" => return false,
                    _ => {}
                }
            }
            false
        }
        _ => false,
    }
}

/// Whether the `[` at `j` opens an attribute: `#[` or `#![`.
fn opens_attribute(tokens: &[(usize, String)], j: usize) -> bool {
    let before = |k: usize| j.checked_sub(k).map(|i| tokens[i].1.as_str());
    before(1) == Some("#") || (before(1) == Some("!") && before(2) == Some("#"))
}

/// The tokens of a Rust source with their lines: identifiers (raw ones as
/// `r#name`) and single punctuation characters; comments, strings and
/// character literals are skipped.
fn tokens(source: &str) -> Vec<(usize, String)> {
    let chars: Vec<char> = source.chars().collect();
    let mut out = Vec::new();
    let mut line = 1;
    let mut i = 0;
    let at = |k: usize| chars.get(k).copied();
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '/' && at(i + 1) == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && at(i + 1) == Some('*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && at(i + 1) == Some('/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if chars[i] == '\n' {
                        line += 1;
                    }
                    i += 1;
                }
            }
        } else if let Some(end) = raw_string_end(&chars, i) {
            line += chars[i..end].iter().filter(|&&c| c == '\n').count();
            i = end;
        } else if c == '"'
            || (c == 'b' && at(i + 1) == Some('"'))
            || (c == 'c' && at(i + 1) == Some('"'))
        {
            i += if c == '"' { 1 } else { 2 };
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                }
                if chars.get(i) == Some(&'\n') {
                    line += 1;
                }
                i += 1;
            }
            i += 1;
        } else if c == '\'' || (c == 'b' && at(i + 1) == Some('\'')) {
            // A character literal ('x', '\n', b'x') or a lifetime ('a).
            let start = if c == 'b' { i + 1 } else { i };
            if at(start + 1) == Some('\\') {
                let mut j = start + 2;
                while j < chars.len() && chars[j] != '\'' && chars[j] != '\n' {
                    j += 1;
                }
                i = j + 1;
            } else if at(start + 2) == Some('\'') {
                i = start + 3;
            } else {
                // A lifetime: the quote alone; its name is an identifier.
                i = start + 1;
            }
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            if c == 'r'
                && at(i + 1) == Some('#')
                && at(i + 2).is_some_and(|d| d.is_alphabetic() || d == '_')
            {
                i += 2;
            }
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push((line, chars[start..i].iter().collect()));
        } else if c.is_ascii_digit() {
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '.')
            {
                i += 1;
            }
        } else {
            out.push((line, c.to_string()));
            i += 1;
        }
    }
    out
}

/// Where a raw string (`r"..."`, `r#"..."#`, `br#"..."#`, `cr"..."`)
/// starting at `i` ends, if one starts there.
fn raw_string_end(chars: &[char], i: usize) -> Option<usize> {
    let mut j = i;
    if matches!(chars.get(j), Some('b') | Some('c')) {
        j += 1;
    }
    if chars.get(j) != Some(&'r') {
        return None;
    }
    j += 1;
    let mut hashes = 0;
    while chars.get(j) == Some(&'#') {
        hashes += 1;
        j += 1;
    }
    if chars.get(j) != Some(&'"') {
        return None;
    }
    j += 1;
    while j < chars.len() {
        if chars[j] == '"' && (0..hashes).all(|k| chars.get(j + 1 + k) == Some(&'#')) {
            return Some(j + 1 + hashes);
        }
        j += 1;
    }
    Some(chars.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(source: &str) -> Vec<usize> {
        refusals(source).iter().map(|r| r.line).collect()
    }

    #[test]
    fn the_ways_to_run_before_main_are_refused() {
        assert_eq!(
            found("#[unsafe(no_mangle)]\npub extern \"C\" fn write() {}\n"),
            [1]
        );
        assert_eq!(
            found("#[used]\n#[unsafe(link_section = \".init_array\")]\nstatic S: u8 = 0;\n"),
            [2]
        );
        assert_eq!(found("fn f() {}\nstd::arch::global_asm!(\"\");\n"), [2]);
        assert_eq!(
            found("fn f() { unsafe { std::arch::asm!(\"nop\") } }\n"),
            [1]
        );
        assert_eq!(found("#[unsafe(naked)]\nfn f() {}\n"), [1]);
        assert_eq!(
            found("#[cfg_attr(all(), unsafe(export_name = \"main\"))]\nfn f() {}\n"),
            [1]
        );
        assert_eq!(found("unsafe extern \"C\" { fn __real_main(); }\n"), [1]);
    }

    #[test]
    fn reading_other_files_is_refused() {
        assert_eq!(
            found("const S: &str = include_str!(concat!(\"../../\", \"x\"));\n"),
            [1]
        );
        assert_eq!(found("\n#[path = \"../../x.rs\"]\nmod x;\n"), [2]);
        assert_eq!(found("include!(\"x.rs\");\n"), [1]);
    }

    #[test]
    fn words_in_comments_strings_and_plain_names_are_fine() {
        let ok = "// no_mangle, #[path], include!\n/* asm!() */\nconst S: &str = \"#[no_mangle] include_str!\";\nconst R: &str = r#\"link_section\"#;\nfn f(path: &str, asm: u8, naked: bool, link: u8) -> char { let _ = (path, asm, naked, link); let _ = vec![g(path, naked)]; 'a' }\nfn g<'a>(x: &'a str) -> &'a str { x }\n";
        assert_eq!(refusals(ok), vec![]);
    }
}
