use prod_smoke_spec::{DEFAULT_SUITE_NAME, Suite};

use crate::args::CheckArgs;
use crate::exit;

/// Validates each spec; prints a located error for every bad one.
pub fn run(args: &CheckArgs) -> u8 {
    if args.specs.is_empty() {
        let suite = prod_smoke_spec::default_suite();
        eprintln!(
            "✓ {DEFAULT_SUITE_NAME} (embedded): {} scenarios",
            suite.scenarios.len()
        );
        return exit::GREEN;
    }
    let mut bad = 0;
    for path in &args.specs {
        match Suite::load(path) {
            Ok(suite) => eprintln!("✓ {}: {} scenarios", path.display(), suite.scenarios.len()),
            Err(e) => {
                bad += 1;
                eprintln!("{e}\n");
            }
        }
    }
    if bad == 0 {
        exit::GREEN
    } else {
        eprintln!("✗ {bad} of {} specs are invalid", args.specs.len());
        exit::BAD_INPUT
    }
}
