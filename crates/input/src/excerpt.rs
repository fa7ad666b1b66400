/// How much of an input value an error message echoes.
pub const EXCERPT_CHARS: usize = 80;

/// `text` as an error message may echo it: whole when short, else its
/// first characters and how much was left out. A 1 MB regex or URL is named,
/// never printed.
pub fn excerpt(text: &str, max_chars: usize) -> String {
    let mut chars = text.char_indices();
    match chars.nth(max_chars) {
        None => text.to_string(),
        Some((cut, _)) => {
            let rest = text[cut..].chars().count();
            format!("{}… ({rest} more characters)", &text[..cut])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_kept_and_long_text_is_cut_with_a_count() {
        assert_eq!(excerpt("/up", 80), "/up");
        assert_eq!(excerpt("abcdef", 6), "abcdef");
        assert_eq!(excerpt("abcdefgh", 6), "abcdef… (2 more characters)");
        assert_eq!(excerpt("ééé", 1), "é… (2 more characters)");
        let long = "x".repeat(1 << 20);
        assert!(excerpt(&long, EXCERPT_CHARS).len() < 200);
    }
}
