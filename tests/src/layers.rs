//! The import-graph check behind `tests/architecture.rs`: which of a crate's units (its top-level modules) each file
//! imports, read from the source text, and whether those imports point only downwards through the crate's layer table
//! and form no circle. A unit is a top-level module: `src/cache/persist.rs` belongs to `cache`, and imports inside one
//! unit are that unit's own business. Test modules (`#[cfg(test)]`) are left out: a test may reach anywhere.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A crate's units and the units each imports (its own excluded).
pub type ImportGraph = BTreeMap<String, BTreeSet<String>>;

/// The import graph of the crate whose sources are under `src`.
pub fn import_graph(src: &Path) -> ImportGraph {
    let mut graph = ImportGraph::new();
    let files = rust_files(src);
    let mut test_only = std::collections::BTreeSet::new();
    for file in &files {
        let text =
            std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let dir = match file.file_name().and_then(|n| n.to_str()) {
            Some("mod.rs" | "lib.rs" | "main.rs") => file.parent().map(Path::to_path_buf),
            _ => Some(file.with_extension("")),
        };
        for name in test_only_modules(&text) {
            if let Some(dir) = &dir {
                test_only.insert(dir.join(format!("{name}.rs")));
                test_only.insert(dir.join(&name).join("mod.rs"));
            }
        }
    }
    for file in files {
        if test_only.contains(&file) {
            continue;
        }
        let unit = unit_of(src, &file);
        let text =
            std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let imports = graph.entry(unit.clone()).or_default();
        for target in crate_imports(&production_part(&text)) {
            if target != unit {
                imports.insert(target);
            }
        }
    }
    // `lib.rs`/`main.rs` are the crate's root: the façade that names every unit, not a unit of its own.
    graph.remove("");
    for imports in graph.values_mut() {
        imports.remove("");
    }
    graph
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The unit a file belongs to: its first path component under `src`, without `.rs` (`""` for the crate root).
fn unit_of(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).expect("under src");
    let first = relative
        .components()
        .next()
        .expect("a file name")
        .as_os_str()
        .to_string_lossy();
    let name = first.strip_suffix(".rs").unwrap_or(&first);
    match name {
        "lib" | "main" => String::new(),
        other => other.to_owned(),
    }
}

/// The text without comments and without what `#[cfg(test)]` guards: the item after each such attribute (a `mod x;`
/// line, or a block up to its closing brace) is left out.
fn production_part(text: &str) -> String {
    let mut kept = String::with_capacity(text.len());
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("#[cfg(test)]") {
            skip_item(&mut lines);
            continue;
        }
        if trimmed.starts_with("//") {
            continue;
        }
        kept.push_str(without_comment(line));
        kept.push('\n');
    }
    kept
}

/// The code of a line, without a trailing `//` comment. A `//` inside a string (a URL) is kept: no import sits in one.
fn without_comment(line: &str) -> &str {
    match line.find("//") {
        Some(at) if !line[..at].contains('"') => &line[..at],
        _ => line,
    }
}

/// Skips one item: further attributes, then a line ending in `;`, or everything up to the brace that closes the block
/// the item opens.
fn skip_item<'a>(lines: &mut std::iter::Peekable<impl Iterator<Item = &'a str>>) {
    let mut depth = 0i64;
    let mut opened = false;
    for line in lines.by_ref() {
        let code = without_comment(line);
        if !opened && code.trim_start().starts_with("#[") {
            continue;
        }
        for c in code.chars() {
            match c {
                '{' => {
                    depth += 1;
                    opened = true;
                }
                '}' => depth -= 1,
                _ => {}
            }
        }
        if (opened && depth <= 0) || (!opened && code.trim_end().ends_with(';')) {
            return;
        }
    }
}

/// The test-only modules declared in `text` (`#[cfg(test)] mod name;`): their files are not production code.
fn test_only_modules(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if !line.trim_start().starts_with("#[cfg(test)]") {
            continue;
        }
        if let Some(next) = lines.next()
            && let Some(name) = next
                .trim()
                .strip_prefix("mod ")
                .or_else(|| next.trim().strip_prefix("pub(crate) mod "))
                .and_then(|rest| rest.strip_suffix(';'))
        {
            found.push(name.trim().to_owned());
        }
    }
    found
}

/// The units named by `crate::` paths in `code`: in `use` trees (`use crate::{a::X, b}` names `a` and `b`) and in
/// inline paths (`crate::a::f()`).
pub fn crate_imports(code: &str) -> BTreeSet<String> {
    let mut units = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + "crate::".len()..];
        // `$crate::` and `graphdesk_crate::` are not this crate's root.
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let end = matching_brace(group);
            for item in top_level_items(&group[..end]) {
                if let Some(unit) = first_segment(item) {
                    units.insert(unit);
                }
            }
        } else if let Some(unit) = first_segment(rest) {
            units.insert(unit);
        }
    }
    units
}

/// The index of the `}` that closes a group whose `{` was just consumed.
fn matching_brace(group: &str) -> usize {
    let mut depth = 0usize;
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return i,
            '}' => depth -= 1,
            _ => {}
        }
    }
    group.len()
}

/// The comma-separated items at the top level of a `use` group.
fn top_level_items(group: &str) -> Vec<&str> {
    let mut items = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                items.push(&group[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&group[start..]);
    items
}

/// The first path segment of `path` if it names a module (lower case), e.g. `cache` in `cache::persist::X`.
fn first_segment(path: &str) -> Option<String> {
    let path = path.trim_start();
    let end = path
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(path.len());
    let segment = &path[..end];
    let is_module = segment
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && segment != "self";
    is_module.then(|| segment.to_owned())
}

/// What is wrong with `graph` against `layers` (unit → layer number, lower is more basic): a unit missing from the
/// table, an import of a unit in a higher layer, and every circle (a strongly connected set of units). Empty when sound.
pub fn violations(graph: &ImportGraph, layers: &BTreeMap<&str, u8>) -> Vec<String> {
    let mut found = Vec::new();
    for (unit, imports) in graph {
        let Some(&layer) = layers.get(unit.as_str()) else {
            found.push(format!("`{unit}` is in no layer: add it to the table"));
            continue;
        };
        for import in imports {
            match layers.get(import.as_str()) {
                Some(&target) if target > layer => found.push(format!(
                    "`{unit}` (L{layer}) imports `{import}` (L{target}), a higher layer"
                )),
                Some(_) => {}
                None if graph.contains_key(import) => {}
                // A name that is no unit of this crate (a macro's path, say) is not an import of one.
                None => {}
            }
        }
    }
    for circle in circles(graph) {
        found.push(format!("circle: {}", circle.join(" → ")));
    }
    found
}

/// The strongly connected components of more than one unit (Tarjan's algorithm), each sorted.
pub fn circles(graph: &ImportGraph) -> Vec<Vec<String>> {
    struct Walk<'a> {
        graph: &'a ImportGraph,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        found: Vec<Vec<String>>,
    }
    impl<'a> Walk<'a> {
        fn visit(&mut self, unit: &'a str) {
            let n = self.index.len();
            self.index.insert(unit, n);
            self.low.insert(unit, n);
            self.stack.push(unit);
            self.on_stack.insert(unit);
            let graph = self.graph;
            for next in graph.get(unit).into_iter().flatten() {
                let next = next.as_str();
                if !graph.contains_key(next) {
                    continue;
                }
                if !self.index.contains_key(next) {
                    self.visit(next);
                    let low = self.low[unit].min(self.low[next]);
                    self.low.insert(unit, low);
                } else if self.on_stack.contains(next) {
                    let low = self.low[unit].min(self.index[next]);
                    self.low.insert(unit, low);
                }
            }
            if self.low[unit] == self.index[unit] {
                let mut component = Vec::new();
                while let Some(top) = self.stack.pop() {
                    self.on_stack.remove(top);
                    component.push(top.to_owned());
                    if top == unit {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    self.found.push(component);
                }
            }
        }
    }
    let mut walk = Walk {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for unit in graph.keys() {
        if !walk.index.contains_key(unit.as_str()) {
            walk.visit(unit);
        }
    }
    walk.found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(edges: &[(&str, &[&str])]) -> ImportGraph {
        edges
            .iter()
            .map(|(unit, imports)| {
                (
                    (*unit).to_owned(),
                    imports.iter().map(|i| (*i).to_owned()).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn use_trees_and_inline_paths_name_their_units() {
        let code = "use crate::{base::secret::Secret, cache::{persist, schema::X}, Foo};\n\
                    use crate::engine::TokenEngine;\n\
                    fn f() { crate::graph::call(); $crate::nothing::here(); my_crate::not::this(); }";
        assert_eq!(
            crate_imports(code),
            ["base", "cache", "engine", "graph"]
                .map(str::to_owned)
                .into()
        );
    }

    #[test]
    fn comments_and_test_modules_are_not_imports() {
        let text = "//! Uses crate::top in prose.\nuse crate::low::X; // crate::high in a comment\n\
                    #[cfg(test)]\nmod tests { use crate::high::Y; }\n";
        assert_eq!(
            crate_imports(&production_part(text)),
            ["low".to_owned()].into()
        );
    }

    #[test]
    fn an_upward_import_is_reported() {
        let layers = BTreeMap::from([("error", 0), ("graph", 5)]);
        let found = violations(&graph(&[("error", &["graph"]), ("graph", &[])]), &layers);
        assert_eq!(found, ["`error` (L0) imports `graph` (L5), a higher layer"]);
        assert!(violations(&graph(&[("error", &[]), ("graph", &["error"])]), &layers).is_empty());
    }

    #[test]
    fn a_circle_within_one_layer_is_reported_and_a_unit_outside_the_table_too() {
        let layers = BTreeMap::from([("a", 1), ("b", 1), ("c", 1)]);
        let found = violations(
            &graph(&[("a", &["b"]), ("b", &["c"]), ("c", &["a"]), ("d", &[])]),
            &layers,
        );
        assert_eq!(
            found,
            [
                "`d` is in no layer: add it to the table",
                "circle: a → b → c"
            ]
        );
    }
}
