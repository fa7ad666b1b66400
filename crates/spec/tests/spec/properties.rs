use prod_smoke_spec::{SpecError, Suite};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Whatever the bytes, parsing returns; it never panics.
    #[test]
    fn arbitrary_text_never_panics(src in ".{0,400}") {
        let _ = Suite::parse("fuzz.yaml", &src);
    }

    /// Mutations of a valid spec either parse or give an error with a place.
    #[test]
    fn mutated_valid_spec_never_panics(pos in 0usize..400, byte in any::<u8>()) {
        let mut src = prod_smoke_spec::DEFAULT_SUITE_YAML.as_bytes().to_vec();
        let pos = pos % src.len();
        src[pos] = byte;
        if let Ok(s) = String::from_utf8(src) {
            let _ = Suite::parse("fuzz.yaml", &s);
        }
    }
}

/// Mutations of the embedded suite as a bad day produces them (deep
/// nesting, a line written twice, huge scalars, stray indicators): no
/// panic, every refusal quick, and every refusal names its line and column
/// or a rule about the whole file. The timings are printed.
#[test]
fn mutated_specs_are_refused_quickly_and_with_a_place() {
    let summary =
        prod_smoke_input::mutations::fuzz(prod_smoke_spec::DEFAULT_SUITE_YAML, 300, |src| {
            match Suite::parse("fuzz.yaml", src) {
                Ok(_) => Ok(true),
                Err(e) => judge(&e, src).map(|()| false),
            }
        });
    eprintln!("specs: {summary:?}");
    assert!(summary.refused > summary.cases / 4, "{summary:?}");
}

fn judge(e: &SpecError, src: &str) -> Result<(), String> {
    let msg = e.to_string();
    if msg.len() > 2_000 {
        return Err(format!("a {}-byte message echoes the input", msg.len()));
    }
    match e {
        SpecError::Located(at) if at.line >= 1 && at.line <= yaml_lines(src) => Ok(()),
        SpecError::Located(at) => Err(format!("line {} is outside the file: {msg}", at.line)),
        SpecError::TooLarge { .. } => Ok(()),
        SpecError::Invalid { message, .. }
            if WHOLE_FILE_RULES.iter().any(|r| message.contains(r)) =>
        {
            Ok(())
        }
        other => Err(format!(
            "a refusal with no place and no whole-file rule: {other}"
        )),
    }
}

/// The checks made on the whole suite after it parsed, which have no one
/// place in the file.
const WHOLE_FILE_RULES: &[&str] = &[
    "the spec has no scenarios",
    "is defined twice",
    "has no steps",
    "has an empty name",
    "must start with `@`",
    "before any `visit`",
    "before any `get` or `head`",
    "after a `head`",
    "`block_url` has an empty pattern",
];

/// Lines as YAML counts them (a lone `\r` breaks a line too), plus the
/// end of the stream after the last break.
fn yaml_lines(src: &str) -> usize {
    src.matches('\n').count() + src.matches('\r').count() + 2
}
