//! No import circles between the files of a crate: `cargo xtask lint`
//! checks it, and so does a test here.
//!
//! Each crate (a library, a binary, an integration-test binary) is read
//! with `syn` from its root file down its `mod` tree. A file depends on
//! another when it names a path that resolves into that file's module:
//! `use crate::a::b`, `super::x`, `self::y`, a path to one of its own
//! submodules, and the same paths written in code or inside a macro call
//! (`crate::guard::post_body(..)`, `json!(crate::x::Y)`). A name the target
//! module only re-exports (`pub use`) is followed to the module that
//! defines it, so going through a crate's `lib.rs` facade is no edge to it.
//!
//! Two things are not imports:
//! - a `mod` declaration: it says where a file sits, not what it uses;
//! - a module naming its own submodules (re-exporting or registering them,
//!   as `seal`'s `sinks!` list does): the module owns them. Edges up (a
//!   submodule using its parent's items, `super::SinkAdapter`) and across
//!   (siblings, cousins) count; edges down into a module's own
//!   submodules do not, or every registry would be a circle.
//!
//! A circle is reported as `a.rs → b.rs → a.rs`, paths from the crate's
//! root folder, one shortest circle through each file that has one.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use proc_macro2::{TokenStream, TokenTree};
use syn::visit::Visit;

/// One crate of the workspace: a package's library, binary or
/// integration-test binary, from its root file.
#[derive(Debug, Clone)]
pub struct CrateRoot {
    /// The root file (`crates/runner/src/lib.rs`).
    pub root: PathBuf,
}

/// Every crate root of the workspace's packages (`crates/*` and `xtask`):
/// `src/lib.rs`, `src/main.rs`, `src/bin/*`, and each of `tests/`,
/// `benches/` and `examples/`, as cargo finds them.
pub fn crate_roots(workspace: &Path) -> Result<Vec<CrateRoot>> {
    let mut packages = vec![PathBuf::from("xtask")];
    for entry in read_dir(&workspace.join("crates"))? {
        if entry.join("Cargo.toml").is_file() {
            packages.push(entry.strip_prefix(workspace)?.to_path_buf());
        }
    }
    let mut roots = Vec::new();
    for package in packages {
        let dir = workspace.join(&package);
        let mut files = vec![dir.join("src/lib.rs"), dir.join("src/main.rs")];
        for targets in ["src/bin", "tests", "benches", "examples"] {
            for entry in read_dir(&dir.join(targets)).unwrap_or_default() {
                files.push(if entry.is_dir() {
                    entry.join("main.rs")
                } else {
                    entry
                });
            }
        }
        for root in files {
            if root.is_file() && root.extension().is_some_and(|e| e == "rs") {
                roots.push(CrateRoot { root });
            }
        }
    }
    Ok(roots)
}

fn read_dir(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut entries = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<Vec<_>>>()?;
    entries.sort();
    Ok(entries)
}

/// Which file depends on which, inside one crate.
#[derive(Debug, Default)]
pub struct FileGraph {
    /// The root file's folder; circles are shown relative to it.
    pub dir: PathBuf,
    pub edges: BTreeMap<PathBuf, BTreeSet<PathBuf>>,
}

/// A module path from the crate root (`["sinks", "discord"]`).
type ModPath = Vec<String>;

/// A crate's module tree: which file holds each module, and what each
/// module re-exports under which name.
#[derive(Default)]
struct Modules {
    file_of: HashMap<ModPath, PathBuf>,
    /// `pub use` names: module → name → (the module the `use` is in, the path).
    reexports: HashMap<ModPath, HashMap<String, (ModPath, Vec<String>)>>,
    asts: Vec<(PathBuf, ModPath, syn::File)>,
}

/// Reads a crate from `root` and builds its file graph.
pub fn file_graph(root: &Path) -> Result<FileGraph> {
    let dir = root.parent().context("a root file has a folder")?;
    let mut modules = Modules::default();
    modules.load(Vec::new(), root, dir, false)?;
    for (_, module, ast) in &modules.asts {
        let mut reexports = Reexports {
            module: module.clone(),
            found: Vec::new(),
        };
        reexports.visit_file(ast);
        for (at, name, path) in reexports.found {
            modules
                .reexports
                .entry(at.clone())
                .or_default()
                .insert(name, (at, path));
        }
    }
    let mut graph = FileGraph {
        dir: dir.to_path_buf(),
        edges: BTreeMap::new(),
    };
    for (file, module, ast) in &modules.asts {
        let mut refs = References {
            module: module.clone(),
            found: Vec::new(),
        };
        refs.visit_file(ast);
        let targets = graph.edges.entry(file.clone()).or_default();
        for (at, path) in refs.found {
            let Some(target) = modules.resolve(&at, &path, 0) else {
                continue;
            };
            let to = &modules.file_of[&target];
            let owned = target.len() > module.len() && target.starts_with(module);
            if to != file && !owned {
                targets.insert(to.clone());
            }
        }
    }
    Ok(graph)
}

impl Modules {
    /// Reads the file of module `module` and, through its `mod` items, the
    /// files below it. `children` is the folder its submodules' files are
    /// in. Below the root folder, a `.rs` file in that folder that no `mod`
    /// item names is read too: a macro may declare it (seal's `sinks!`).
    fn load(&mut self, module: ModPath, file: &Path, children: &Path, below: bool) -> Result<()> {
        let text =
            std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
        let ast = syn::parse_file(&text).with_context(|| format!("parsing {}", file.display()))?;
        self.file_of.insert(module.clone(), file.to_path_buf());
        let mut declared = Vec::new();
        self.declare(&module, &ast.items, file, children, &mut declared);
        self.asts.push((file.to_path_buf(), module.clone(), ast));
        for (child, child_file, child_dir) in declared {
            self.load(child, &child_file, &child_dir, true)?;
        }
        if below {
            for entry in read_dir(children).unwrap_or_default() {
                let (name, child_file, child_dir) = match module_file(&entry) {
                    Some(found) => found,
                    None => continue,
                };
                let mut child = module.clone();
                child.push(name);
                if !self.file_of.contains_key(&child) {
                    self.load(child, &child_file, &child_dir, true)?;
                }
            }
        }
        Ok(())
    }

    /// Registers the inline modules of `items` (which live in `file`) and
    /// lists the out-of-line ones to read.
    fn declare(
        &mut self,
        module: &ModPath,
        items: &[syn::Item],
        file: &Path,
        children: &Path,
        out: &mut Vec<(ModPath, PathBuf, PathBuf)>,
    ) {
        for item in items {
            let syn::Item::Mod(m) = item else { continue };
            let name = m.ident.to_string();
            let mut child = module.clone();
            child.push(name.clone());
            if let Some((_, inner)) = &m.content {
                self.file_of.insert(child.clone(), file.to_path_buf());
                self.declare(&child, inner, file, &children.join(&name), out);
                continue;
            }
            let found = match path_attribute(m) {
                Some(p) => {
                    let f = file.parent().unwrap_or(Path::new(".")).join(p);
                    let dir = f.with_extension("");
                    Some((f, dir))
                }
                None => [children.join(format!("{name}.rs")), children.join(&name)]
                    .iter()
                    .find_map(|p| module_file(p).map(|(_, f, d)| (f, d))),
            };
            // A module whose file is missing is generated or switched off
            // by `cfg`; rustc, not this check, says so.
            if let Some((f, d)) = found.filter(|(f, _)| f.is_file()) {
                out.push((child, f, d));
            }
        }
    }

    /// The module a path names, or `None` when it leaves the crate (or
    /// names a local item). Re-exported names are followed to their
    /// definition.
    fn resolve(&self, at: &ModPath, path: &[String], depth: usize) -> Option<ModPath> {
        let first = path.first()?;
        let (mut module, mut i) = match first.as_str() {
            "crate" | "$crate" => (Vec::new(), 1),
            "self" => (at.clone(), 1),
            "super" => {
                let mut m = at.clone();
                let mut i = 0;
                while path.get(i).is_some_and(|s| s == "super") {
                    m.pop()?;
                    i += 1;
                }
                (m, i)
            }
            name => {
                let mut child = at.clone();
                child.push(name.to_string());
                if !self.file_of.contains_key(&child) {
                    return None;
                }
                (at.clone(), 0)
            }
        };
        while let Some(segment) = path.get(i) {
            let mut next = module.clone();
            next.push(segment.clone());
            if !self.file_of.contains_key(&next) {
                break;
            }
            module = next;
            i += 1;
        }
        if let Some(name) = path.get(i)
            && depth < 8
            && let Some((from, source)) = self.reexports.get(&module).and_then(|r| r.get(name))
        {
            let mut followed = source.clone();
            followed.extend_from_slice(&path[i + 1..]);
            if let Some(defined) = self.resolve(from, &followed, depth + 1) {
                return Some(defined);
            }
        }
        Some(module)
    }
}

/// `name.rs` or `name/mod.rs` at `entry` (a file or a folder), with the
/// module's name, its file and the folder of its own submodules.
fn module_file(entry: &Path) -> Option<(String, PathBuf, PathBuf)> {
    if entry.is_dir() {
        let file = entry.join("mod.rs");
        let name = entry.file_name()?.to_str()?.to_string();
        return file.is_file().then(|| (name, file, entry.to_path_buf()));
    }
    let name = entry.file_stem()?.to_str()?.to_string();
    let is_module =
        entry.extension().is_some_and(|e| e == "rs") && name != "mod" && entry.is_file();
    is_module.then(|| (name, entry.to_path_buf(), entry.with_extension("")))
}

/// A `#[path = "..."]` attribute's value.
fn path_attribute(m: &syn::ItemMod) -> Option<String> {
    m.attrs.iter().find_map(|a| match &a.meta {
        syn::Meta::NameValue(nv) if nv.path.is_ident("path") => match &nv.value {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Some(s.value()),
            _ => None,
        },
        _ => None,
    })
}

/// Every path a `use` tree imports, each as its segments. A glob imports
/// its prefix; `self` in a group imports the group's prefix.
fn use_paths(tree: &syn::UseTree, prefix: &mut Vec<String>, out: &mut Vec<(String, Vec<String>)>) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            use_paths(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) if n.ident == "self" => {
            let name = prefix.last().cloned().unwrap_or_default();
            out.push((name, prefix.clone()));
        }
        syn::UseTree::Name(n) => {
            let mut path = prefix.clone();
            path.push(n.ident.to_string());
            out.push((n.ident.to_string(), path));
        }
        syn::UseTree::Rename(r) => {
            let mut path = prefix.clone();
            if r.ident != "self" {
                path.push(r.ident.to_string());
            }
            out.push((r.rename.to_string(), path));
        }
        syn::UseTree::Glob(_) => out.push((String::new(), prefix.clone())),
        syn::UseTree::Group(g) => {
            for tree in &g.items {
                use_paths(tree, prefix, out);
            }
        }
    }
}

/// The names each module re-exports (`pub use`, `pub(crate) use`, ...).
struct Reexports {
    module: ModPath,
    found: Vec<(ModPath, String, Vec<String>)>,
}

impl<'ast> Visit<'ast> for Reexports {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        if let Some((_, items)) = &m.content {
            self.module.push(m.ident.to_string());
            for item in items {
                self.visit_item(item);
            }
            self.module.pop();
        }
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        if matches!(u.vis, syn::Visibility::Inherited) {
            return;
        }
        let mut paths = Vec::new();
        use_paths(&u.tree, &mut Vec::new(), &mut paths);
        for (name, path) in paths {
            if !name.is_empty() && name != "_" {
                self.found.push((self.module.clone(), name, path));
            }
        }
    }
}

/// Every path a file names, with the module it is named in.
struct References {
    module: ModPath,
    found: Vec<(ModPath, Vec<String>)>,
}

impl References {
    /// Paths inside a macro call's tokens: each run of `a::b::c` whose
    /// first segment could lead into the crate.
    fn scan(&mut self, tokens: TokenStream) {
        let mut path: Vec<String> = Vec::new();
        let mut colons = 0;
        let mut dollar = false;
        for token in tokens {
            match token {
                TokenTree::Group(g) => {
                    self.flush(&mut path);
                    self.scan(g.stream());
                    colons = 0;
                }
                TokenTree::Ident(ident) => {
                    let mut name = ident.to_string();
                    if dollar && name == "crate" {
                        name = "$crate".into();
                    }
                    if path.is_empty() || colons == 2 {
                        path.push(name);
                    } else {
                        self.flush(&mut path);
                        path.push(name);
                    }
                    colons = 0;
                }
                TokenTree::Punct(p) if p.as_char() == ':' && !path.is_empty() && colons < 2 => {
                    colons += 1;
                }
                TokenTree::Punct(p) => {
                    self.flush(&mut path);
                    colons = 0;
                    dollar = p.as_char() == '$';
                    continue;
                }
                TokenTree::Literal(_) => {
                    self.flush(&mut path);
                    colons = 0;
                }
            }
            dollar = false;
        }
        self.flush(&mut path);
    }

    fn flush(&mut self, path: &mut Vec<String>) {
        if path.len() > 1 {
            self.found.push((self.module.clone(), std::mem::take(path)));
        }
        path.clear();
    }
}

impl<'ast> Visit<'ast> for References {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        if let Some((_, items)) = &m.content {
            self.module.push(m.ident.to_string());
            for item in items {
                self.visit_item(item);
            }
            self.module.pop();
        }
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        let mut paths = Vec::new();
        use_paths(&u.tree, &mut Vec::new(), &mut paths);
        for (_, path) in paths {
            self.found.push((self.module.clone(), path));
        }
    }

    fn visit_path(&mut self, p: &'ast syn::Path) {
        let path: Vec<String> = p.segments.iter().map(|s| s.ident.to_string()).collect();
        if path.len() > 1 || path.first().is_some_and(|s| s == "super") {
            self.found.push((self.module.clone(), path));
        }
        syn::visit::visit_path(self, p);
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        self.scan(m.tokens.clone());
        syn::visit::visit_macro(self, m);
    }
}

/// The import circles of a graph: for each file on one, the shortest
/// circle through it, each listed once, starting from its smallest path
/// and ending where it started.
pub fn circles(graph: &FileGraph) -> Vec<Vec<PathBuf>> {
    let mut found = BTreeSet::new();
    for start in graph.edges.keys() {
        if let Some(circle) = shortest_circle(graph, start) {
            let smallest = (0..circle.len())
                .min_by_key(|&i| &circle[i])
                .unwrap_or_default();
            let mut rotated: Vec<PathBuf> = circle[smallest..]
                .iter()
                .chain(&circle[..smallest])
                .cloned()
                .collect();
            rotated.push(rotated[0].clone());
            found.insert(rotated);
        }
    }
    found.into_iter().collect()
}

/// A breadth-first walk from `start` back to it: the circle's files, once each.
fn shortest_circle(graph: &FileGraph, start: &PathBuf) -> Option<Vec<PathBuf>> {
    let mut came_from: HashMap<&PathBuf, &PathBuf> = HashMap::new();
    let mut queue = VecDeque::from([start]);
    while let Some(file) = queue.pop_front() {
        for next in graph.edges.get(file).into_iter().flatten() {
            if next == start {
                let mut circle = vec![file.clone()];
                let mut at = file;
                while at != start {
                    at = came_from[at];
                    circle.push(at.clone());
                }
                circle.reverse();
                return Some(circle);
            }
            if !came_from.contains_key(next) {
                came_from.insert(next, file);
                queue.push_back(next);
            }
        }
    }
    None
}

/// `a.rs → b.rs → a.rs`, each path from the crate's root folder.
pub fn show(graph: &FileGraph, circle: &[PathBuf]) -> String {
    circle
        .iter()
        .map(|f| {
            f.strip_prefix(&graph.dir)
                .unwrap_or(f)
                .display()
                .to_string()
        })
        .collect::<Vec<_>>()
        .join(" → ")
}

/// What the check found in the whole workspace.
#[derive(Debug, Default)]
pub struct Findings {
    /// `crate root: circle` for every circle; each one fails the check.
    pub circles: Vec<(CrateRoot, String)>,
    /// The problems that fail the check.
    pub problems: Vec<String>,
}

/// Reads every crate of the workspace and lists its circles. There is no
/// allowlist: every crate is free of circles, and stays so.
pub fn check(workspace: &Path) -> Result<Findings> {
    let mut findings = Findings::default();
    for krate in crate_roots(workspace)? {
        let graph = file_graph(&krate.root)?;
        for circle in circles(&graph) {
            let shown = show(&graph, &circle);
            findings.problems.push(format!(
                "{}: import circle {shown}",
                krate.root.strip_prefix(workspace)?.display()
            ));
            findings.circles.push((krate.clone(), shown));
        }
    }
    Ok(findings)
}

/// `cargo xtask lint`'s step: fails on any circle, naming each.
pub fn run(workspace: &Path) -> Result<()> {
    let findings = check(workspace)?;
    if !findings.problems.is_empty() {
        anyhow::bail!(
            "files import each other in a circle; move what both need into a lower module:\n  {}",
            findings.problems.join("\n  ")
        );
    }
    eprintln!("import circles: none in any crate");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes `files` (path, text) under a fresh folder.
    fn crate_of(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }

    fn shown_circles(dir: &Path) -> Vec<String> {
        let graph = file_graph(&dir.join("src/lib.rs")).unwrap();
        circles(&graph).iter().map(|c| show(&graph, c)).collect()
    }

    #[test]
    fn every_crate_of_the_workspace_is_free_of_import_circles() {
        let findings = check(&crate::workspace_root()).unwrap();
        for (krate, circle) in &findings.circles {
            eprintln!("{}: {circle}", krate.root.display());
        }
        assert!(
            findings.problems.is_empty(),
            "{}",
            findings.problems.join("\n")
        );
    }

    #[test]
    fn a_circle_through_use_code_and_macro_paths_is_found() {
        let dir = crate_of(&[
            ("src/lib.rs", "mod a;\nmod b;\nmod c;\nmod d;\n"),
            ("src/a.rs", "use crate::b::B;\n"),
            ("src/b.rs", "pub struct B;\nfn f() { crate::c::g() }\n"),
            (
                "src/c.rs",
                "pub fn g() { println!(\"{}\", crate::a::A); }\n",
            ),
            ("src/d.rs", "use super::a;\n"),
        ]);
        assert_eq!(
            shown_circles(dir.path()),
            ["a.rs → b.rs → c.rs → a.rs"],
            "d.rs only points into the circle"
        );
    }

    #[test]
    fn reexports_are_followed_and_parents_own_their_submodules() {
        let dir = crate_of(&[
            (
                "src/lib.rs",
                "mod a;\nmod sinks;\npub use a::A;\npub fn root() { a::f() }\n",
            ),
            ("src/a.rs", "pub struct A;\npub fn f() {}\n"),
            // A registry naming its submodules, each reaching up for the trait.
            (
                "src/sinks/mod.rs",
                "pub trait Sink {}\nregistry! { one::One }\nuse crate::A;\n",
            ),
            ("src/sinks/one.rs", "use super::Sink;\nuse crate::A;\n"),
        ]);
        assert!(shown_circles(dir.path()).is_empty());
        let graph = file_graph(&dir.path().join("src/lib.rs")).unwrap();
        let one = &graph.edges[&dir.path().join("src/sinks/one.rs")];
        assert!(
            one.contains(&dir.path().join("src/a.rs")),
            "crate::A is followed through lib.rs to a.rs: {one:?}"
        );
        assert!(one.contains(&dir.path().join("src/sinks/mod.rs")));
    }

    #[test]
    fn a_submodule_and_a_sibling_of_its_parent_make_a_circle() {
        let dir = crate_of(&[
            ("src/lib.rs", "mod config;\nmod sinks;\n"),
            ("src/config.rs", "use crate::sinks::discord::Hook;\n"),
            ("src/sinks/mod.rs", "pub mod discord;\n"),
            (
                "src/sinks/discord.rs",
                "pub struct Hook;\nmod tests { use super::*; fn t(_: crate::config::C) {} }\n",
            ),
        ]);
        assert_eq!(
            shown_circles(dir.path()),
            ["config.rs → sinks/discord.rs → config.rs"]
        );
    }
}
