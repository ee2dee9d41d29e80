//! Turns every page of the book into a module whose doc comment is the page,
//! so `cargo test` compiles (and runs) each Rust snippet as a doctest. New
//! pages are picked up without editing anything here.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};

fn pages(dir: &Path, found: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .expect("book/src is readable")
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            pages(&path, found);
        } else if path.extension().is_some_and(|e| e == "md") {
            found.push(path);
        }
    }
}

fn module_name(page: &Path, src: &Path) -> String {
    let rel = page.strip_prefix(src).expect("a page under book/src");
    let mut name: String = rel
        .with_extension("")
        .to_string_lossy()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    name.insert_str(0, "page_");
    name
}

fn main() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../src");
    let src = src.canonicalize().expect("book/src exists");
    println!("cargo::rerun-if-changed={}", src.display());
    let mut found = Vec::new();
    pages(&src, &mut found);
    let mut out = String::new();
    for page in &found {
        println!("cargo::rerun-if-changed={}", page.display());
        out.push_str(&format!(
            "#[doc = include_str!({:?})]\npub mod {} {{}}\n",
            page.display().to_string(),
            module_name(page, &src)
        ));
    }
    let dest = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("pages.rs");
    fs::write(dest, out).expect("OUT_DIR is writable");
}
