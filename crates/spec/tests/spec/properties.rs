use prod_smoke_spec::Suite;
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
