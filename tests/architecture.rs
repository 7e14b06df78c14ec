//! The layering of `src/`, checked: every module imports only the layers the README's Layout
//! table allows it (that table is the one map; this test reads it), and no files import each
//! other in a loop. Reads source text only; must not build or run anything.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Imports the layering does not allow yet, each to be removed by moving code, not by
/// widening the table. The test fails when one of them is gone, so the list cannot go stale.
const KNOWN_LAYER_FAULTS: &[(&str, &str)] = &[];
/// Files that import each other in a loop today (each loop as its sorted module paths).
const KNOWN_LOOPS: &[&[&str]] = &[];

/// A module path inside the crate: `["aggregate", "windows"]` for `src/aggregate/windows.rs`,
/// `[]` for `lib.rs`.
type Module = Vec<String>;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under `src/` with its module path.
fn modules() -> BTreeMap<Module, PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let src = root().join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    files
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(&src).unwrap().with_extension("");
            let mut m: Module = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if matches!(m.last().map(String::as_str), Some("mod" | "lib" | "main")) {
                m.pop();
            }
            (m, p)
        })
        .collect()
}

/// Source without comments, string and char literals, and the inline `#[cfg(test)] mod
/// tests { .. }` block (tests may reach anywhere; sibling `tests.rs` files are skipped).
fn code(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            let end = text[i + 2..].find("*/").map_or(b.len(), |k| i + 4 + k);
            i = end;
        } else if b[i] == b'r' && (b.get(i + 1) == Some(&b'"') || b.get(i + 1) == Some(&b'#')) {
            let hashes = b[i + 1..].iter().take_while(|&&c| c == b'#').count();
            if b.get(i + 1 + hashes) != Some(&b'"') {
                out.push('r');
                i += 1;
                continue;
            }
            let close = format!("\"{}", "#".repeat(hashes));
            let start = i + 2 + hashes;
            i = text[start..]
                .find(&close)
                .map_or(b.len(), |k| start + k + close.len());
            out.push_str("\"\"");
        } else if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if b[i] == b'\'' && b.get(i + 2) == Some(&b'\'') {
            i += 3;
        } else if b[i] == b'\'' && b.get(i + 1) == Some(&b'\\') {
            let end = text[i + 2..].find('\'').map_or(b.len(), |k| i + 3 + k);
            i = end;
        } else {
            let c = text[i..].chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    match out.find("#[cfg(test)]\nmod tests {") {
        Some(k) => out[..k].to_string(),
        None => out,
    }
}

/// Every path a source names from `start` on, with `{..}` groups expanded: `a::{b, c::d}`
/// gives `[a, b]` and `[a, c, d]`. Returns the paths and where parsing stopped.
fn paths_at(s: &[u8], mut i: usize, prefix: Vec<String>) -> (Vec<Vec<String>>, usize) {
    let skip_ws = |i: &mut usize| {
        while *i < s.len() && s[*i].is_ascii_whitespace() {
            *i += 1;
        }
    };
    let mut segs = prefix;
    loop {
        skip_ws(&mut i);
        if i < s.len() && s[i] == b'{' {
            i += 1;
            let mut all = Vec::new();
            loop {
                skip_ws(&mut i);
                if i < s.len() && s[i] == b'}' {
                    return (all, i + 1);
                }
                let (sub, j) = paths_at(s, i, segs.clone());
                all.extend(sub);
                i = j;
                skip_ws(&mut i);
                match s.get(i) {
                    Some(b',') => i += 1,
                    Some(b'}') => return (all, i + 1),
                    _ => return (all, i),
                }
            }
        }
        let start = i;
        while i < s.len() && (s[i].is_ascii_alphanumeric() || s[i] == b'_') {
            i += 1;
        }
        if i == start {
            return (vec![segs], i);
        }
        segs.push(String::from_utf8_lossy(&s[start..i]).into_owned());
        let mut j = i;
        skip_ws(&mut j);
        if s[j..].starts_with(b"::") {
            i = j + 2;
        } else {
            return (vec![segs], i);
        }
    }
}

/// The file a path names: the longest module prefix of it that is a file.
fn resolve(mods: &BTreeMap<Module, PathBuf>, full: &[String]) -> Option<Module> {
    (0..=full.len())
        .rev()
        .map(|k| full[..k].to_vec())
        .find(|m| mods.contains_key(m))
}

/// The files each file names: through `crate::`, `super::`, `self::`, and paths into its own
/// child modules (`windows::Windows` in `aggregate/mod.rs`). `pub use` re-exports count: a
/// re-export is a dependency of the file that makes it.
fn imports(mods: &BTreeMap<Module, PathBuf>) -> BTreeMap<Module, BTreeSet<Module>> {
    let mut out = BTreeMap::new();
    for (m, path) in mods {
        if m.last().is_some_and(|l| l == "tests") {
            continue;
        }
        let src = code(&std::fs::read_to_string(path).unwrap());
        let s = src.as_bytes();
        let kids: BTreeSet<&str> = mods
            .keys()
            .filter(|k| k.len() == m.len() + 1 && k.starts_with(m))
            .map(|k| k.last().unwrap().as_str())
            .collect();
        let mut deps = BTreeSet::new();
        let mut i = 0;
        while i < s.len() {
            let word_start = i == 0 || !(s[i - 1].is_ascii_alphanumeric() || s[i - 1] == b'_');
            let after_colons = i >= 2 && &s[i - 2..i] == b"::";
            if !word_start || after_colons || !(s[i].is_ascii_alphabetic() || s[i] == b'_') {
                i += 1;
                continue;
            }
            let (found, j) = paths_at(s, i, Vec::new());
            i = j.max(i + 1);
            for p in found {
                if p.len() < 2 {
                    continue;
                }
                let full: Vec<String> = match p[0].as_str() {
                    "crate" => p[1..].to_vec(),
                    "super" => {
                        let ups = p.iter().take_while(|x| *x == "super").count();
                        let mut base = m.clone();
                        base.truncate(m.len().saturating_sub(ups));
                        base.into_iter().chain(p[ups..].iter().cloned()).collect()
                    }
                    "self" => m.iter().chain(&p[1..]).cloned().collect(),
                    first if kids.contains(first) => m.iter().chain(&p).cloned().collect(),
                    _ => continue,
                };
                if let Some(to) = resolve(mods, &full)
                    && &to != m
                    && to.last().is_none_or(|l| l != "tests")
                {
                    deps.insert(to);
                }
            }
        }
        out.insert(m.clone(), deps);
    }
    out
}

/// The README's layer table: layer name (`parse`, `model`, ...) -> the layers it may import.
fn layer_table() -> BTreeMap<String, BTreeSet<String>> {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let layout = readme
        .split("\n## Layout")
        .nth(1)
        .expect("README has a Layout section");
    let name = |cell: &str| -> Vec<String> {
        cell.split('`')
            .skip(1)
            .step_by(2)
            .map(|n| n.trim_end_matches('/').trim_end_matches(".rs").to_string())
            .collect()
    };
    let mut table = BTreeMap::new();
    for line in layout
        .lines()
        .skip_while(|l| !l.starts_with("| layer"))
        .skip(2)
    {
        if !line.starts_with('|') {
            break;
        }
        let cells: Vec<&str> = line.split('|').collect();
        let allowed: BTreeSet<String> = name(cells[2]).into_iter().collect();
        for layer in name(cells[1]) {
            table.insert(layer, allowed.clone());
        }
    }
    assert!(table.len() >= 10, "README layer table not found: {table:?}");
    table
}

fn layer_of(m: &Module) -> String {
    m.first().cloned().unwrap_or_else(|| "lib".into())
}

#[test]
fn every_module_imports_only_the_layers_below_it() {
    let mods = modules();
    let table = layer_table();
    let mut faults: BTreeSet<(String, String)> = BTreeSet::new();
    let mut files_of_fault: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for (m, deps) in imports(&mods) {
        let from = layer_of(&m);
        if from == "lib" || from == "main" {
            continue;
        }
        let allowed = table
            .get(&from)
            .unwrap_or_else(|| panic!("src/{} is in no layer of the README's table", m.join("/")));
        for d in deps {
            let to = layer_of(&d);
            if to != from && to != "error" && !allowed.contains(&to) {
                files_of_fault
                    .entry((from.clone(), to.clone()))
                    .or_default()
                    .push(format!("{} -> {}", m.join("/"), d.join("/")));
                faults.insert((from.clone(), to));
            }
        }
    }
    let known: BTreeSet<(String, String)> = KNOWN_LAYER_FAULTS
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    let new: Vec<_> = faults
        .difference(&known)
        .map(|k| format!("{} may not import {}: {:?}", k.0, k.1, files_of_fault[k]))
        .collect();
    let gone: Vec<_> = known.difference(&faults).collect();
    assert!(
        new.is_empty(),
        "imports the README's layer table forbids:\n{}",
        new.join("\n")
    );
    assert!(
        gone.is_empty(),
        "fixed, remove from KNOWN_LAYER_FAULTS: {gone:?}"
    );
}

/// Strongly connected groups of more than one file (Tarjan).
fn loops(g: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<Vec<String>> {
    struct T<'a> {
        g: &'a BTreeMap<Module, BTreeSet<Module>>,
        index: BTreeMap<&'a Module, usize>,
        low: BTreeMap<&'a Module, usize>,
        stack: Vec<&'a Module>,
        on: BTreeSet<&'a Module>,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(t: &mut T<'a>, v: &'a Module) {
        let n = t.index.len();
        t.index.insert(v, n);
        t.low.insert(v, n);
        t.stack.push(v);
        t.on.insert(v);
        for w in t.g.get(v).into_iter().flatten() {
            if !t.index.contains_key(w) {
                visit(t, w);
                let lw = t.low[w];
                let lv = t.low.get_mut(v).unwrap();
                *lv = (*lv).min(lw);
            } else if t.on.contains(w) {
                let iw = t.index[w];
                let lv = t.low.get_mut(v).unwrap();
                *lv = (*lv).min(iw);
            }
        }
        if t.low[v] == t.index[v] {
            let mut comp = Vec::new();
            loop {
                let w = t.stack.pop().unwrap();
                t.on.remove(w);
                comp.push(if w.is_empty() {
                    "lib".into()
                } else {
                    w.join("/")
                });
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                t.out.push(comp);
            }
        }
    }
    let mut t = T {
        g,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in g.keys() {
        if !t.index.contains_key(v) {
            visit(&mut t, v);
        }
    }
    t.out.sort();
    t.out
}

#[test]
fn no_files_import_each_other_in_a_loop() {
    let found = loops(&imports(&modules()));
    let known: Vec<Vec<String>> = KNOWN_LOOPS
        .iter()
        .map(|l| l.iter().map(|s| s.to_string()).collect())
        .collect();
    let new: Vec<_> = found.iter().filter(|l| !known.contains(l)).collect();
    let gone: Vec<_> = known.iter().filter(|l| !found.contains(l)).collect();
    assert!(
        new.is_empty(),
        "files that import each other in a loop: {new:?}"
    );
    assert!(gone.is_empty(), "fixed, remove from KNOWN_LOOPS: {gone:?}");
}

#[test]
fn the_checker_sees_imports_of_every_form() {
    let src = code(
        "use crate::a::{b, c::{d, e}};\n// use crate::comment::x;\nlet s = \"crate::string::x\";\nfn f() { super::g::h(); kid::k(); }\n#[cfg(test)]\nmod tests {\n use crate::t::x;\n}",
    );
    let s = src.as_bytes();
    let mut all = Vec::new();
    let mut i = 0;
    while i < s.len() {
        if s[i].is_ascii_alphabetic() && (i == 0 || !s[i - 1].is_ascii_alphanumeric()) {
            let (p, j) = paths_at(s, i, Vec::new());
            all.extend(p.into_iter().filter(|p| p.len() > 1).map(|p| p.join("::")));
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    assert!(all.contains(&"crate::a::b".to_string()), "{all:?}");
    assert!(all.contains(&"crate::a::c::e".to_string()), "{all:?}");
    assert!(all.contains(&"super::g::h".to_string()), "{all:?}");
    assert!(all.contains(&"kid::k".to_string()), "{all:?}");
    assert!(
        !all.iter()
            .any(|p| p.contains("comment") || p.contains("string") || p.contains("::t::"))
    );
    // A loop of two is found; a chain is not.
    let m = |s: &str| -> Module { s.split('/').map(String::from).collect() };
    let g: BTreeMap<Module, BTreeSet<Module>> = [
        (m("a"), [m("b")].into()),
        (m("b"), [m("a"), m("c")].into()),
        (m("c"), BTreeSet::new()),
    ]
    .into();
    assert_eq!(loops(&g), vec![vec!["a".to_string(), "b".to_string()]]);
}
