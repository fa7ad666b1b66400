//! The closest known name to a misspelt one, shared by every error that
//! lists what it knows (spec steps and keys, configured apps), so the
//! spec and config crates need not depend on each other for it.

/// The closest candidate to a misspelt name, if one is close enough to be a
/// plausible typo.
pub fn did_you_mean<'a>(input: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let input_lower = input.to_lowercase();
    candidates
        .iter()
        .map(|c| (strsim::damerau_levenshtein(&input_lower, c), *c))
        .filter(|(d, c)| *d <= (c.len().max(input.len()) / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let c = ["visit", "visible", "get", "title"];
        assert_eq!(did_you_mean("vist", &c), Some("visit"));
        assert_eq!(did_you_mean("visble", &c), Some("visible"));
        assert_eq!(did_you_mean("tilte", &c), Some("title"));
        assert_eq!(did_you_mean("screenshot", &c), None);
    }
}
