//! Keeps the README's layout table true, as the spec reference test does
//! for the step vocabulary: every crate, tool, doc and top-level folder is
//! named in it, every path it names exists, and its `xtask/` row names
//! every task `cargo xtask` knows ([`crate::TASKS`]).

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// The `| path | what |` rows under `## Layout`: each backticked path
    /// of the first cell, and the row's text.
    fn layout_rows(readme: &str) -> Vec<(Vec<String>, String)> {
        let table = readme
            .split("\n## Layout\n")
            .nth(1)
            .expect("README.md has a `## Layout` section");
        table
            .lines()
            .skip_while(|l| !l.starts_with('|'))
            .take_while(|l| l.starts_with('|'))
            .skip(2) // header and `| --- |`
            .map(|row| {
                let first = row.split('|').nth(1).unwrap_or_default();
                let paths = first
                    .split('`')
                    .skip(1)
                    .step_by(2)
                    .map(|p| p.trim_end_matches('/').to_string())
                    .collect();
                (paths, row.to_string())
            })
            .collect()
    }

    /// Folders whose every entry must have its own row.
    const LISTED_ONE_BY_ONE: &[&str] = &["crates", "tools"];

    #[test]
    fn layout_table_names_every_crate_tool_doc_and_task() {
        let root = crate::workspace_root();
        let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
        let rows = layout_rows(&readme);
        let named: Vec<&str> = rows
            .iter()
            .flat_map(|(paths, _)| paths.iter().map(String::as_str))
            .collect();
        let mut missing = Vec::new();

        for path in &named {
            assert!(
                root.join(path).exists(),
                "the layout table names `{path}`, which does not exist"
            );
        }
        for folder in LISTED_ONE_BY_ONE {
            for entry in std::fs::read_dir(root.join(folder)).unwrap() {
                let name = format!("{folder}/{}", entry.unwrap().file_name().to_string_lossy());
                if !named.contains(&name.as_str()) {
                    missing.push(name);
                }
            }
        }
        // Every tracked top-level folder (hidden ones too: `.ci`, `.github`),
        // either as a row or as the start of one (`.github/workflows`).
        for entry in std::fs::read_dir(&root).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().to_string_lossy().into_owned();
            let ignored =
                [".git", ".cargo", "target"].contains(&name.as_str()) || name == "node_modules";
            if ignored || !entry.path().is_dir() || !tracked(&root, &name) {
                continue;
            }
            if !named
                .iter()
                .any(|p| *p == name || p.starts_with(&format!("{name}/")))
            {
                missing.push(format!("{name}/"));
            }
        }
        // Every doc, by its file name in the `docs/` row.
        let docs_row = row_of(&rows, "docs");
        for entry in std::fs::read_dir(root.join("docs")).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            if !docs_row.contains(&format!("`{name}`")) {
                missing.push(format!("docs/{name}"));
            }
        }
        // Every xtask task, in the `xtask/` row.
        let xtask_row = row_of(&rows, "xtask");
        for (task, _, _) in crate::TASKS {
            if !xtask_row.contains(&format!("`{task}`"))
                && !xtask_row.contains(&format!("xtask {task}`"))
            {
                missing.push(format!("cargo xtask {task}"));
            }
        }
        missing.dedup();
        assert!(
            missing.is_empty(),
            "README.md's layout table does not name: {}",
            missing.join(", ")
        );
    }

    fn row_of<'a>(rows: &'a [(Vec<String>, String)], path: &str) -> &'a str {
        rows.iter()
            .find(|(paths, _)| paths.iter().any(|p| p == path))
            .map(|(_, row)| row.as_str())
            .unwrap_or_else(|| panic!("the layout table has no `{path}/` row"))
    }

    /// Is anything under `name` tracked by git (so not a local leftover)?
    fn tracked(root: &Path, name: &str) -> bool {
        std::process::Command::new("git")
            .args(["ls-files", "--", name])
            .current_dir(root)
            .output()
            .map(|o| !o.stdout.is_empty())
            .unwrap_or(true)
    }

    #[test]
    fn layout_rows_are_read_from_the_table() {
        let readme = "x\n## Layout\n\n| path | what |\n| --- | --- |\n| `a/` | one |\n| `b`, `c` | two |\n\nafter\n";
        let rows = layout_rows(readme);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].0, ["a"]);
        assert_eq!(rows[1].0, ["b", "c"]);
    }
}
