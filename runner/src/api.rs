//! The public API of a source file, light-weight: the signatures of its
//! `pub` items (and of the items of its trait impls) read from the tokens,
//! bodies skipped. Enough to tell a student which item of a skeleton no
//! longer matches the solution's; not a Rust parser.

use std::collections::BTreeSet;

/// A token: an identifier, a lifetime, a literal (its text dropped) or one
/// punctuation character.
fn tokens(source: &str) -> Vec<String> {
    let chars: Vec<char> = source.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '/' && chars.get(i + 1) == Some(&'/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && chars.get(i + 1) == Some(&'*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if c == 'r' && matches!(chars.get(i + 1), Some('"') | Some('#')) && {
            let mut j = i + 1;
            while chars.get(j) == Some(&'#') {
                j += 1;
            }
            chars.get(j) == Some(&'"')
        } {
            // A raw string: r#"..."#.
            let mut j = i + 1;
            let mut hashes = 0;
            while chars[j] == '#' {
                hashes += 1;
                j += 1;
            }
            j += 1;
            loop {
                if j >= chars.len() {
                    break;
                }
                if chars[j] == '"' && (0..hashes).all(|k| chars.get(j + 1 + k) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            out.push("\"\"".into());
            i = j;
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push("\"\"".into());
        } else if c == '\'' {
            // A char literal ('x', '\n') or a lifetime ('a).
            if chars.get(i + 2) == Some(&'\'') {
                out.push("''".into());
                i += 3;
            } else if chars.get(i + 1) == Some(&'\\') {
                i += 2;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
                out.push("''".into());
            } else {
                let mut j = i + 1;
                while j < chars.len() && (chars[j].is_alphanumeric() || chars[j] == '_') {
                    j += 1;
                }
                out.push(chars[i..j].iter().collect());
                i = j;
            }
        } else if c.is_alphanumeric() || c == '_' {
            let mut j = i;
            while j < chars.len() && (chars[j].is_alphanumeric() || chars[j] == '_') {
                j += 1;
            }
            out.push(chars[i..j].iter().collect());
            i = j;
        } else {
            out.push(c.to_string());
            i += 1;
        }
    }
    out
}

/// Joins tokens the way people write them, so items read naturally.
fn render(tokens: &[String]) -> String {
    let mut s = String::new();
    let mut prev = "";
    let mut arrow = false;
    for t in tokens {
        let word = |x: &str| {
            x.chars()
                .next()
                .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '\'' || c == '"')
        };
        let glue_left = matches!(t.as_str(), ")" | "]" | "," | ";" | ":" | "." | ">" | "?")
            && !(t == ">" && prev == "-")
            || matches!(prev, "(" | "[" | "&" | "." | "!" | "#" | "<")
            || (t == "(" && (word(prev) || (prev == ">" && !arrow)))
            || (t == "<" && word(prev))
            || (t == ":" && prev == ":")
            || (prev == ":" && s.ends_with("::"))
            || (t == "!" && word(prev))
            || (t == "=" && prev == "-")
            || (t == ">" && prev == "-");
        if !s.is_empty() && !glue_left {
            s.push(' ');
        }
        s.push_str(t);
        arrow = t == ">" && prev == "-";
        prev = t;
    }
    s.replace("- >", "->")
}

/// Index of the bracket that closes the one at `open`.
fn closing(tokens: &[String], open: usize) -> usize {
    let (o, c) = match tokens[open].as_str() {
        "{" => ("{", "}"),
        "(" => ("(", ")"),
        _ => ("[", "]"),
    };
    let mut depth = 0;
    for (i, t) in tokens.iter().enumerate().skip(open) {
        if t == o {
            depth += 1;
        } else if t == c {
            depth -= 1;
            if depth == 0 {
                return i;
            }
        }
    }
    tokens.len()
}

/// Splits at top-level commas.
fn split_commas(tokens: &[String]) -> Vec<&[String]> {
    let mut parts = Vec::new();
    let (mut depth, mut angle, mut from) = (0i32, 0i32, 0);
    for (i, t) in tokens.iter().enumerate() {
        match t.as_str() {
            "(" | "[" | "{" => depth += 1,
            ")" | "]" | "}" => depth -= 1,
            "<" => angle += 1,
            ">" if i == 0 || tokens[i - 1] != "-" => angle -= 1,
            "," if depth == 0 && angle <= 0 => {
                parts.push(&tokens[from..i]);
                from = i + 1;
            }
            _ => {}
        }
    }
    if from < tokens.len() {
        parts.push(&tokens[from..]);
    }
    parts.into_iter().filter(|p| !p.is_empty()).collect()
}

fn is_pub(header: &[String]) -> bool {
    header.first().is_some_and(|t| t == "pub") && header.get(1).is_none_or(|t| t != "(")
}

fn has(header: &[String], word: &str) -> bool {
    header.iter().any(|t| t == word)
}

/// Drops attributes (`#[...]`, `#![...]`) from a token list.
fn without_attributes(tokens: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if tokens[i] == "#" {
            let open = if tokens.get(i + 1).is_some_and(|t| t == "!") {
                i + 2
            } else {
                i + 1
            };
            if tokens.get(open).is_some_and(|t| t == "[") {
                i = closing(tokens, open) + 1;
                continue;
            }
        }
        out.push(tokens[i].clone());
        i += 1;
    }
    out
}

/// The public items of a block (a file, a module, an impl or trait body).
/// `all`: every item counts (a trait, or a trait impl), not only `pub` ones.
fn items(
    tokens: &[String],
    context: &str,
    all: bool,
    public_types: &BTreeSet<String>,
    into: &mut Vec<String>,
) {
    let mut i = 0;
    while i < tokens.len() {
        if tokens[i] == ";" {
            i += 1;
            continue;
        }
        // The header runs to the first `{` or `;` outside brackets.
        let start = i;
        let mut depth = 0;
        while i < tokens.len() {
            match tokens[i].as_str() {
                "(" | "[" => depth += 1,
                ")" | "]" => depth -= 1,
                "{" | ";" if depth == 0 => break,
                _ => {}
            }
            i += 1;
        }
        let header = &tokens[start..i.min(tokens.len())];
        let shown = all || is_pub(header);
        let mut name = |h: &[String]| {
            let h = match h.iter().position(|t| t == "=") {
                // A const's or static's value is not its API.
                Some(eq) if has(h, "const") || has(h, "static") => &h[..eq],
                _ => h,
            };
            // `mut` on a parameter is the body's business.
            let h: Vec<String> = h
                .iter()
                .enumerate()
                .filter(|(k, t)| !(*t == "mut" && *k > 0 && (h[k - 1] == "(" || h[k - 1] == ",")))
                .map(|(_, t)| t.clone())
                .collect();
            let text = render(&h);
            into.push(if context.is_empty() {
                text
            } else {
                format!("{context} {{ {text} }}")
            });
        };
        if i >= tokens.len() || tokens[i] == ";" {
            if shown && !header.is_empty() && !has(header, "macro_rules") {
                name(header);
            }
            i += 1;
            continue;
        }
        let end = closing(tokens, i);
        let body = &tokens[(i + 1).min(end)..end.min(tokens.len())];
        i = end + 1;
        if has(header, "macro_rules") {
            continue;
        }
        if has(header, "fn") {
            if shown {
                name(header);
            }
        } else if header.first().is_some_and(|t| t == "impl")
            || header.starts_with(&["unsafe".to_string(), "impl".to_string()])
        {
            // A trait impl of a public type is part of the API (its items
            // are the trait's); one of a private helper type is not.
            if let Some(at) = header.iter().position(|t| t == "for") {
                if header
                    .get(at + 1)
                    .is_some_and(|ty| public_types.contains(ty))
                {
                    into.push(render(header));
                }
            } else {
                items(body, &render(header), false, public_types, into);
            }
        } else if has(header, "trait") {
            if shown {
                name(header);
                items(body, &render(header), true, public_types, into);
            }
        } else if has(header, "mod") {
            if shown {
                items(body, &render(header), false, public_types, into);
            }
        } else if has(header, "struct") || has(header, "union") {
            if shown {
                name(header);
                let ctx = render(header);
                for field in split_commas(body) {
                    if is_pub(field) {
                        into.push(format!("{ctx} {{ {} }}", render(field)));
                    }
                }
            }
        } else if has(header, "enum") {
            if shown {
                name(header);
                let ctx = render(header);
                for variant in split_commas(body) {
                    into.push(format!("{ctx} {{ {} }}", render(variant)));
                }
            }
        } else if shown {
            name(header);
        }
    }
}

/// The public API of a source file: one line per item, in source order.
pub fn public_items(source: &str) -> Vec<String> {
    let tokens = without_attributes(&tokens(source));
    // The names of the file's public types, for its trait impls.
    let public_types: BTreeSet<String> = tokens
        .windows(3)
        .filter(|w| w[0] == "pub" && matches!(w[1].as_str(), "struct" | "enum" | "union" | "type"))
        .map(|w| w[2].clone())
        .collect();
    let mut out = Vec::new();
    items(&tokens, "", false, &public_types, &mut out);
    out
}

/// What differs between two APIs: items only in `ours`, items only in
/// `theirs`.
pub fn differences(ours: &[String], theirs: &[String]) -> (Vec<String>, Vec<String>) {
    let mut only_theirs: Vec<String> = theirs.to_vec();
    let mut only_ours = Vec::new();
    for item in ours {
        if let Some(pos) = only_theirs.iter().position(|t| t == item) {
            only_theirs.remove(pos);
        } else {
            only_ours.push(item.clone());
        }
    }
    (only_ours, only_theirs)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOLUTION: &str = r#"
//! A module.
use std::fmt;

/// A handle.
#[derive(Debug, Clone)]
pub struct Handle<T: Send> {
    pub name: String,
    secret: Vec<T>, // private: free to differ
}

pub enum State { Idle, Running(u32) }

pub const LIMIT: usize = 64;

impl<T: Send> Handle<T> {
    /// Makes one.
    pub fn new(name: &str) -> Self {
        let s = "pub fn fake() {}";
        Handle { name: name.into(), secret: Vec::new() }
    }
    pub fn run<'a>(&'a mut self, f: impl FnOnce() -> i32) -> Result<i32, String>
    where
        T: Clone,
    {
        todo!()
    }
    fn private(&self) {}
}

impl<T: Send> fmt::Display for Handle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.name)
    }
}

pub(crate) fn helper() {}
"#;

    #[test]
    fn public_items_are_the_signatures_of_pub_items() {
        let items = public_items(SOLUTION);
        assert_eq!(
            items,
            vec![
                "pub struct Handle<T: Send>",
                "pub struct Handle<T: Send> { pub name: String }",
                "pub enum State",
                "pub enum State { Idle }",
                "pub enum State { Running(u32) }",
                "pub const LIMIT: usize",
                "impl<T: Send> Handle<T> { pub fn new(name: &str) -> Self }",
                "impl<T: Send> Handle<T> { pub fn run<'a>(&'a mut self, f: impl FnOnce() -> i32) -> Result<i32, String> where T: Clone, }",
                "impl<T: Send> fmt::Display for Handle<T>",
            ]
        );
    }

    #[test]
    fn bodies_private_fields_and_comments_do_not_count() {
        let skeleton = SOLUTION
            .replace("secret: Vec<T>, // private: free to differ", "hidden: u8,")
            .replace("let s = \"pub fn fake() {}\";", "todo!();")
            .replace("/// Makes one.", "// TODO");
        assert_eq!(public_items(&skeleton), public_items(SOLUTION));
    }

    #[test]
    fn a_changed_signature_is_named() {
        let skeleton = SOLUTION.replace("pub fn new(name: &str)", "pub fn new(name: String)");
        let (ours, theirs) = differences(&public_items(&skeleton), &public_items(SOLUTION));
        assert_eq!(
            ours,
            vec!["impl<T: Send> Handle<T> { pub fn new(name: String) -> Self }"]
        );
        assert_eq!(
            theirs,
            vec!["impl<T: Send> Handle<T> { pub fn new(name: &str) -> Self }"]
        );
    }
}
