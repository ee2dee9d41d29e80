//! A compile error costs only the exercise that has it: when a student's
//! chapter does not build, the exercise modules the errors are in are set
//! aside (their untouched skeleton stands in for them) and the chapter is
//! built again, so that its other exercises are graded.
//!
//! The student's tree is never written. The second build is of a *shadow*
//! crate under the target dir (`forklings-aside/NN-name/`): a package of its
//! own (`chNN-name-aside`, a workspace of one) whose `lib.rs` is the
//! chapter's with every module declared by `#[path]`, pointing at the
//! student's files, or at the untouched skeleton for the modules set aside;
//! its `graded` test target is the chapter's own test source. It is built
//! into the course's target dir with the course's `Cargo.lock` and
//! profiles, so every dependency already built is reused: only the chapter's
//! library and its tests are compiled.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use toml::{Table, Value};

use crate::cargo_build::{self, CrateKey};
use crate::course::{Chapter, Course, Flavor};
use crate::pristine;
use crate::results::CompileError;

/// How many times modules are set aside and the shadow built again (an
/// error in one module can show up only once another is set aside).
const ROUNDS: usize = 3;

/// A chapter built with some modules set aside.
#[derive(Debug, Clone)]
pub struct Aside {
    /// The shadow crate's `graded` test binary.
    pub binary: PathBuf,
    /// Each exercise set aside, with the first error found in it.
    pub set_aside: BTreeMap<String, CompileError>,
}

/// The exercise of `chapter` whose module (or whose tests) an error is in:
/// `chapters/NN/src/X.rs`, `chapters/NN/src/X/...`, `tests/NN/X.rs`, or a
/// `mod X;` whose file is missing.
pub fn exercise_of(chapter: &Chapter, error: &CompileError) -> Option<String> {
    let is_exercise = |m: &str| chapter.exercises.iter().any(|e| e.id == m);
    if let Some(file) = &error.file {
        let parts: Vec<&str> = file.split('/').collect();
        let module = match parts.as_slice() {
            ["chapters", ch, "src", rest @ ..] if *ch == chapter.id && !rest.is_empty() => {
                Some(rest[0].trim_end_matches(".rs"))
            }
            ["tests", ch, module] if *ch == chapter.id => Some(module.trim_end_matches(".rs")),
            _ => None,
        };
        if let Some(m) = module.filter(|m| is_exercise(m)) {
            return Some(m.to_string());
        }
    }
    // error[E0583]: file not found for module `fork_wait`
    let missing = error
        .message
        .split_once("file not found for module `")
        .and_then(|(_, rest)| rest.split_once('`'))
        .map(|(m, _)| m);
    missing.filter(|m| is_exercise(m)).map(str::to_string)
}

/// Builds the chapter (the student's crate) with the exercises of `errors`
/// set aside. None when an error is outside every exercise module (then
/// nothing can be graded), or the untouched skeletons are not at hand.
pub fn build(
    course: &Course,
    chapter: &Chapter,
    errors: &[CompileError],
    target_dir: &Path,
    grading_copy: bool,
) -> Result<Aside, String> {
    let mut set_aside: BTreeMap<String, CompileError> = BTreeMap::new();
    let mut errors = errors.to_vec();
    for _ in 0..ROUNDS {
        for error in &errors {
            let Some(exercise) = exercise_of(chapter, error) else {
                return Err(format!(
                    "an error outside the exercise modules ({}): nothing of the chapter can be built",
                    error.file.as_deref().unwrap_or("in its build")
                ));
            };
            set_aside.entry(exercise).or_insert_with(|| error.clone());
        }
        let shadow = write_shadow(course, chapter, &set_aside, target_dir)?;
        let key: CrateKey = (chapter.id.clone(), Flavor::Skeleton);
        let built =
            cargo_build::build_manifest(&course.root, &shadow, &key, target_dir, grading_copy)
                .map_err(|e| format!("could not run cargo: {e}"))?;
        if let Some(binary) = built.binaries.get(&key) {
            return Ok(Aside {
                binary: binary.clone(),
                set_aside,
            });
        }
        errors = built
            .all_errors
            .get(&key)
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .map(|e| relative(course, e))
            .collect();
        if errors.is_empty() {
            return Err("the chapter does not build even with its broken modules set aside".into());
        }
    }
    Err("the chapter does not build even with its broken modules set aside".into())
}

/// The shadow crate names the student's files by absolute paths (in panic
/// locations too): named from the course root, as everywhere else.
pub fn relative_paths(text: &str, root: &Path) -> String {
    let mut text = text.to_string();
    let canonical = root.canonicalize().unwrap_or(root.to_path_buf());
    for root in [canonical.as_path(), root] {
        text = text.replace(&format!("{}/", root.display()), "");
    }
    text
}

/// An error of the shadow build, its file named as in the student's tree.
fn relative(course: &Course, mut error: CompileError) -> CompileError {
    if let Some(file) = &error.file {
        let root = course.root.canonicalize().unwrap_or(course.root.clone());
        let path = Path::new(file);
        if let Ok(rel) = path.strip_prefix(&root) {
            error.file = Some(rel.display().to_string());
        }
    }
    error
}

/// Writes the shadow crate for `chapter` and returns its manifest.
fn write_shadow(
    course: &Course,
    chapter: &Chapter,
    set_aside: &BTreeMap<String, CompileError>,
    target_dir: &Path,
) -> Result<PathBuf, String> {
    let root = course.root.canonicalize().unwrap_or(course.root.clone());
    let chapter_dir = chapter.dir(&root, Flavor::Skeleton);
    let shadow = target_dir.join("forklings-aside").join(&chapter.id);
    fs::create_dir_all(shadow.join("src")).map_err(|e| e.to_string())?;
    fs::create_dir_all(shadow.join("aside")).map_err(|e| e.to_string())?;

    let pristine = pristine::load(&root)?;
    for exercise in set_aside.keys() {
        let rel = format!("chapters/{}/src/{exercise}.rs", chapter.id);
        let id = pristine
            .files
            .get(&rel)
            .ok_or_else(|| format!("{} does not list {rel}", pristine::FILE))?;
        let text = skeleton_text(&root, id)?;
        write_if_changed(&shadow.join("aside").join(format!("{exercise}.rs")), &text)?;
    }
    let lib = fs::read_to_string(chapter_dir.join("src/lib.rs"))
        .map_err(|e| format!("cannot read the chapter's lib.rs: {e}"))?;
    let lib = with_paths(&lib, |module| {
        if set_aside.contains_key(module) {
            shadow.join("aside").join(format!("{module}.rs"))
        } else {
            let file = chapter_dir.join("src").join(format!("{module}.rs"));
            if file.exists() {
                file
            } else {
                chapter_dir.join("src").join(module).join("mod.rs")
            }
        }
    });
    write_if_changed(&shadow.join("src/lib.rs"), lib.as_bytes())?;
    let manifest = shadow_manifest(&root, chapter, &chapter_dir)?;
    write_if_changed(&shadow.join("Cargo.toml"), manifest.as_bytes())?;
    let lock = fs::read(root.join("Cargo.lock")).unwrap_or_default();
    write_if_changed(&shadow.join("Cargo.lock"), &lock)?;
    Ok(shadow.join("Cargo.toml"))
}

/// The untouched skeleton (blob `id`) from the course's git history, or
/// from the instructor's course a grading copy names (`grade-class`).
fn skeleton_text(root: &Path, id: &str) -> Result<Vec<u8>, String> {
    let more = std::env::var_os(crate::commands::grade::GIT_DIR_ENV).map(PathBuf::from);
    let mut first_error = None;
    for dir in std::iter::once(root.to_path_buf()).chain(more) {
        match pristine::from_git(&dir, id) {
            Ok(text) => return Ok(text),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    // A grading copy has no history: the course's own skeletons lie beside
    // it, by blob id.
    if let Some(text) = crate::grading_copy::skeleton(root, id) {
        return Ok(text);
    }
    Err(first_error.unwrap_or_default())
}

/// A file whose bytes are already right is left alone (cargo then sees an
/// unchanged time).
fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<(), String> {
    if fs::read(path).is_ok_and(|now| now == bytes) {
        return Ok(());
    }
    fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// `lib.rs` with a `#[path = "..."]` on every `mod NAME;` line.
fn with_paths(lib: &str, path_of: impl Fn(&str) -> PathBuf) -> String {
    let mut out = String::new();
    for line in lib.lines() {
        let code = line.split("//").next().unwrap_or("").trim();
        let declared = code
            .strip_prefix("pub mod ")
            .or_else(|| code.strip_prefix("pub(crate) mod "))
            .or_else(|| code.strip_prefix("mod "))
            .and_then(|rest| rest.strip_suffix(';'))
            .filter(|name| name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
        if let Some(name) = declared {
            let path = path_of(name).display().to_string();
            out.push_str(&format!("#[path = {path:?}]\n"));
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The chapter's `Cargo.toml` made into a workspace of its own: values the
/// chapter takes from the course's workspace spelled out, relative paths
/// made absolute, the course's profiles, a name of its own, and the
/// `graded` test target only.
fn shadow_manifest(root: &Path, chapter: &Chapter, chapter_dir: &Path) -> Result<String, String> {
    let read = |path: &Path| -> Result<Table, String> {
        fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?
            .parse::<Table>()
            .map_err(|e| format!("{}: {e}", path.display()))
    };
    let workspace = read(&root.join("Cargo.toml"))?;
    let own = read(&chapter_dir.join("Cargo.toml"))?;
    let ws = workspace.get("workspace").and_then(Value::as_table);
    let ws_package = ws.and_then(|w| w.get("package")).and_then(Value::as_table);
    let ws_deps = ws
        .and_then(|w| w.get("dependencies"))
        .and_then(Value::as_table);
    let absolute = |base: &Path, rel: &str| base.join(rel).display().to_string();

    let mut out = Table::new();
    let mut package = own
        .get("package")
        .and_then(Value::as_table)
        .cloned()
        .unwrap_or_default();
    for (key, value) in package.clone() {
        if is_inherited(&value) {
            match ws_package.and_then(|p| p.get(&key)) {
                Some(v) => package.insert(key, v.clone()),
                None => package.remove(&key),
            };
        }
    }
    package.insert(
        "name".into(),
        Value::String(format!("{}-aside", chapter.package(Flavor::Skeleton))),
    );
    if let Some(build) = package.get("build").and_then(Value::as_str) {
        let build = absolute(chapter_dir, build);
        package.insert("build".into(), Value::String(build));
    }
    package.insert("autotests".into(), Value::Boolean(false));
    package.insert("autobenches".into(), Value::Boolean(false));
    package.insert("autoexamples".into(), Value::Boolean(false));
    out.insert("package".into(), Value::Table(package));

    let mut lib = own
        .get("lib")
        .and_then(Value::as_table)
        .cloned()
        .unwrap_or_default();
    lib.insert("path".into(), Value::String("src/lib.rs".into()));
    out.insert("lib".into(), Value::Table(lib));

    let graded = own
        .get("test")
        .and_then(Value::as_array)
        .and_then(|tests| {
            tests
                .iter()
                .find(|t| t.get("name").and_then(Value::as_str) == Some(crate::course::GRADED))
        })
        .and_then(Value::as_table)
        .cloned()
        .ok_or_else(|| "the chapter's Cargo.toml has no `graded` test target".to_string())?;
    let mut graded = graded;
    if let Some(path) = graded.get("path").and_then(Value::as_str) {
        let path = absolute(chapter_dir, path);
        graded.insert("path".into(), Value::String(path));
    }
    out.insert("test".into(), Value::Array(vec![Value::Table(graded)]));

    for section in ["dependencies", "dev-dependencies", "build-dependencies"] {
        let Some(deps) = own.get(section).and_then(Value::as_table) else {
            continue;
        };
        let mut spelled = Table::new();
        for (name, spec) in deps {
            let spec = if is_inherited(spec) {
                let base = ws_deps
                    .and_then(|d| d.get(name))
                    .ok_or_else(|| format!("the workspace declares no dependency `{name}`"))?;
                merge_dependency(base, spec, root)
            } else {
                with_absolute_path(spec, chapter_dir)
            };
            spelled.insert(name.clone(), spec);
        }
        out.insert(section.into(), Value::Table(spelled));
    }
    if let Some(features) = own.get("features") {
        out.insert("features".into(), features.clone());
    }
    out.insert("workspace".into(), Value::Table(Table::new()));
    if let Some(profile) = workspace.get("profile") {
        out.insert("profile".into(), profile.clone());
    }
    Ok(format!(
        "# Made by the runner (runner/src/aside.rs): chapter {} with its broken\n# exercise modules set aside. Not part of the course.\n{}",
        chapter.id,
        toml::to_string(&out).map_err(|e| e.to_string())?
    ))
}

/// `key.workspace = true`, `key = { workspace = true, ... }`.
fn is_inherited(value: &Value) -> bool {
    value
        .as_table()
        .and_then(|t| t.get("workspace"))
        .and_then(Value::as_bool)
        == Some(true)
}

/// A workspace dependency with the member's own keys (features added,
/// optional) merged in; a path made absolute from the workspace root.
fn merge_dependency(base: &Value, own: &Value, root: &Path) -> Value {
    let mut table = match base {
        Value::String(version) => {
            let mut t = Table::new();
            t.insert("version".into(), Value::String(version.clone()));
            t
        }
        Value::Table(t) => t.clone(),
        other => return other.clone(),
    };
    if let Some(own) = own.as_table() {
        for (key, value) in own {
            match key.as_str() {
                "workspace" => {}
                "features" => {
                    let mut all = table
                        .get("features")
                        .and_then(Value::as_array)
                        .cloned()
                        .unwrap_or_default();
                    all.extend(value.as_array().cloned().unwrap_or_default());
                    table.insert("features".into(), Value::Array(all));
                }
                _ => {
                    table.insert(key.clone(), value.clone());
                }
            }
        }
    }
    with_absolute_path(&Value::Table(table), root)
}

fn with_absolute_path(spec: &Value, base: &Path) -> Value {
    let mut spec = spec.clone();
    if let Some(table) = spec.as_table_mut()
        && let Some(path) = table.get("path").and_then(Value::as_str)
    {
        let path = base.join(path).display().to_string();
        table.insert("path".into(), Value::String(path));
    }
    spec
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chapter() -> Chapter {
        Chapter {
            id: "01-x".into(),
            title: "X".into(),
            exercises: ["fork_wait", "task"]
                .iter()
                .map(|id| crate::course::Exercise {
                    id: id.to_string(),
                    chapter: "01-x".into(),
                    title: String::new(),
                    points: 10,
                    hints: Vec::new(),
                    tests: Vec::new(),
                })
                .collect(),
            targets: Vec::new(),
        }
    }

    fn error(file: Option<&str>, message: &str) -> CompileError {
        CompileError {
            message: message.into(),
            file: file.map(str::to_string),
            line: Some(1),
            column: Some(1),
            rendered: String::new(),
        }
    }

    #[test]
    fn an_error_belongs_to_the_exercise_of_its_file() {
        let ch = chapter();
        let of = |file, message| exercise_of(&ch, &error(file, message));
        assert_eq!(
            of(Some("chapters/01-x/src/task.rs"), "e"),
            Some("task".into())
        );
        assert_eq!(
            of(Some("tests/01-x/fork_wait.rs"), "e"),
            Some("fork_wait".into())
        );
        assert_eq!(
            of(
                Some("chapters/01-x/src/lib.rs"),
                "error[E0583]: file not found for module `task`"
            ),
            Some("task".into())
        );
        assert_eq!(of(Some("chapters/01-x/src/lib.rs"), "e"), None);
        assert_eq!(of(Some("tests/01-x/main.rs"), "e"), None);
        assert_eq!(of(Some("chapters/02-y/src/task.rs"), "e"), None);
    }

    #[test]
    fn every_module_line_gets_its_path() {
        let lib = "//! doc\n#![allow(dead_code)]\n\npub mod fork_wait;\nmod helper;\npub mod task; // the third\n";
        let out = with_paths(lib, |m| PathBuf::from(format!("/s/{m}.rs")));
        assert_eq!(
            out,
            "//! doc\n#![allow(dead_code)]\n\n#[path = \"/s/fork_wait.rs\"]\npub mod fork_wait;\n#[path = \"/s/helper.rs\"]\nmod helper;\n#[path = \"/s/task.rs\"]\npub mod task; // the third\n"
        );
    }
}
