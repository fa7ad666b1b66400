use prod_smoke_spec::StepKind;

use crate::exit;

/// Prints the step vocabulary on stdout, one step per line: its YAML key,
/// what it checks, and the other keys it takes. docs/spec.md has an
/// example of each.
pub fn run() -> u8 {
    let width = StepKind::ALL
        .iter()
        .map(|k| k.info().key.len())
        .max()
        .unwrap_or(0);
    for kind in StepKind::ALL {
        let info = kind.info();
        let modifiers = if info.modifiers.is_empty() {
            String::new()
        } else {
            format!(" [{}]", info.modifiers.join(", "))
        };
        println!(
            "{key:<width$}  {summary}{modifiers}",
            key = info.key,
            summary = info.summary
        );
    }
    exit::GREEN
}
