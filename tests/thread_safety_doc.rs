//! Every function (and function-pointer variable) the headers declare must
//! name its thread-safety class in its documentation, as one of
//! `locked`, `lock-free`, `caller serialises` or `pure`; and the table in
//! `docs/THREAD_SAFETY.md` is generated from those docs. Refresh the table
//! with `MBEDCRYPTO_BLESS=1 cargo test --test thread_safety_doc` (or
//! `make docs`).

use std::fs;
use std::path::Path;

const CLASSES: [&str; 4] = ["locked", "lock-free", "caller serialises", "pure"];
const BEGIN: &str = "<!-- BEGIN GENERATED TABLE (tests/thread_safety_doc.rs) -->";
const END: &str = "<!-- END GENERATED TABLE -->";

struct Entry {
    header: String,
    name: String,
    class: String,
    note: String,
}

/// The name declared by a prototype or pointer-variable declaration line.
fn declared_name(decl: &str) -> Option<String> {
    let decl = decl.trim();
    if decl.starts_with('#') || decl.starts_with("typedef") || decl.starts_with('}') {
        return None;
    }
    if let Some(rest) = decl.strip_prefix("extern ") {
        // `extern int (*mbedtls_mutex_lock)(...)` is a function pointer;
        // `extern mbedtls_threading_mutex_t x;` is a plain variable.
        let start = rest.find("(*")? + 2;
        let end = rest[start..].find(')')? + start;
        return Some(rest[start..end].to_string());
    }
    let paren = decl.find('(')?;
    let name: String = decl[..paren]
        .chars()
        .rev()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    (!name.is_empty() && (name.starts_with("mbedtls_") || name.starts_with("mbedcrypto_")))
        .then_some(name)
}

fn entries() -> Vec<Entry> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("include/mbedtls");
    let mut names: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".h"))
        .collect();
    names.sort();
    let mut out = Vec::new();
    for header in names {
        let text = fs::read_to_string(dir.join(&header)).unwrap();
        let mut doc = String::new();
        let mut in_doc = false;
        let mut in_macro = false;
        for line in text.lines() {
            let t = line.trim();
            // Macro bodies (and their continuation lines) declare nothing.
            if in_macro || t.starts_with("#define") {
                in_macro = t.ends_with('\\');
                continue;
            }
            if t.starts_with("/**") {
                in_doc = true;
                doc.clear();
            }
            if in_doc {
                doc.push_str(t.trim_start_matches("/**").trim_start_matches('*').trim());
                doc.push(' ');
                if t.ends_with("*/") {
                    in_doc = false;
                }
                continue;
            }
            if t.is_empty() || t.starts_with("#if") || t.starts_with("#endif") {
                continue;
            }
            // An annotation on its own line (`MBEDTLS_CHECK_RETURN_TYPICAL`
            // before a wrapped prototype) belongs to the next declaration.
            if t.starts_with("MBEDTLS_CHECK_RETURN") && !t.contains('(') {
                continue;
            }
            // Statements in the bodies of static inline helpers call
            // functions; they declare nothing.
            if t.starts_with("return ") {
                doc.clear();
                continue;
            }
            if t.starts_with("/*") || t.starts_with('*') || t.starts_with("//") {
                doc.clear();
                continue;
            }
            if let Some(name) = declared_name(t)
                && !t.starts_with("static inline")
            {
                let class = doc
                    .split("Thread safety: ")
                    .nth(1)
                    .map(|rest| {
                        CLASSES
                            .iter()
                            .find(|c| rest.starts_with(**c))
                            .map(|c| c.to_string())
                            .unwrap_or_else(|| format!("INVALID: {}", &rest[..rest.len().min(30)]))
                    })
                    .unwrap_or_else(|| "MISSING".to_string());
                let note = doc
                    .split("Thread safety: ")
                    .nth(1)
                    .and_then(|rest| {
                        let rest = rest.trim_start_matches(class.as_str());
                        let rest = rest.trim_start();
                        rest.strip_prefix('(').and_then(|r| r.split(')').next())
                    })
                    .unwrap_or("")
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ");
                out.push(Entry {
                    header: header.clone(),
                    name,
                    class,
                    note,
                });
            }
            doc.clear();
        }
    }
    out
}

fn table(entries: &[Entry]) -> String {
    let mut s = String::from("| header | function | class | note |\n|---|---|---|---|\n");
    for e in entries {
        s.push_str(&format!(
            "| {} | `{}` | {} | {} |\n",
            e.header, e.name, e.class, e.note
        ));
    }
    s
}

#[test]
fn every_function_names_its_thread_safety_class() {
    let entries = entries();
    assert!(
        entries.len() >= 20,
        "found only {} declarations",
        entries.len()
    );
    let bad: Vec<_> = entries
        .iter()
        .filter(|e| !CLASSES.contains(&e.class.as_str()))
        .map(|e| format!("{}: {} ({})", e.header, e.name, e.class))
        .collect();
    assert!(
        bad.is_empty(),
        "declarations without a valid thread-safety class: {bad:#?}"
    );
}

#[test]
fn thread_safety_guide_table_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/THREAD_SAFETY.md");
    let doc = fs::read_to_string(&path).expect("docs/THREAD_SAFETY.md");
    let (head, rest) = doc.split_once(BEGIN).expect("BEGIN marker");
    let (_, tail) = rest.split_once(END).expect("END marker");
    let fresh = format!("{head}{BEGIN}\n{}{END}{tail}", table(&entries()));
    if std::env::var_os("MBEDCRYPTO_BLESS").is_some() {
        fs::write(&path, &fresh).unwrap();
        return;
    }
    assert!(
        fresh == doc,
        "docs/THREAD_SAFETY.md is out of date; run `make docs` \
         (MBEDCRYPTO_BLESS=1 cargo test --test thread_safety_doc)"
    );
}
