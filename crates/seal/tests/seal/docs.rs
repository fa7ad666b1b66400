//! docs/operations.md stays in step with the variables the seal reads:
//! its table of environment variables names every one of them, as the
//! sinks declare them in their own files.

use prod_smoke_seal::ENV_VARS;

const OPERATIONS: &str = include_str!("../../../../docs/operations.md");

/// The rows of the "Environment variables" section's table.
fn variable_rows() -> Vec<&'static str> {
    let section = OPERATIONS
        .split("\n## ")
        .find(|s| s.contains(". Environment variables\n"))
        .expect("docs/operations.md has an `Environment variables` section");
    section
        .lines()
        .filter(|line| line.starts_with("| `"))
        .collect()
}

#[test]
fn operations_names_every_seal_variable() {
    let rows = variable_rows();
    assert!(!rows.is_empty(), "the variables table has no rows");
    let missing: Vec<&str> = ENV_VARS
        .iter()
        .map(|var| var.name)
        .filter(|name| {
            let cell = format!("`{name}`");
            !rows.iter().any(|row| {
                // The first column names the variable(s) of the row.
                row.split('|')
                    .nth(1)
                    .is_some_and(|first| first.contains(&cell))
            })
        })
        .collect();
    assert!(
        missing.is_empty(),
        "docs/operations.md §10 has no row for {missing:?}; add one saying what each does"
    );
}
