//! Page-derived text in a Markdown message (Discord, the release notes
//! message): it must render as the plain text it is. A page whose body says
//! `**URGENT** [Roll back now](https://evil.example/rollback)` must never
//! become a bold, clickable link inside the operator's alert, so links in a
//! message come only from prod-smoke (the site URL, the run link, the
//! artifacts).

/// One line, every Markdown-significant ASCII character backslash-escaped
/// (Discord and CommonMark both honour `\` before punctuation), and bare
/// URLs broken with a zero-width space after the scheme so neither Discord
/// nor GitHub autolinks them. Mentions are left to `allowed_mentions`,
/// which stops pings wherever the text lands in Discord.
pub fn escape_markdown(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::with_capacity(one_line.len() + 16);
    for c in one_line.chars() {
        if matches!(
            c,
            '\\' | '*'
                | '_'
                | '~'
                | '`'
                | '|'
                | '>'
                | '<'
                | '#'
                | '['
                | ']'
                | '('
                | ')'
                | '-'
                | '+'
                | '!'
                | '='
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out.replace("://", ":/\u{200B}/")
}

#[cfg(test)]
mod tests {
    use super::escape_markdown;

    #[test]
    fn forged_alerts_become_text() {
        let out = escape_markdown("**URGENT** [Roll back now](https://evil.example/rollback)");
        assert_eq!(
            out,
            "\\*\\*URGENT\\*\\* \\[Roll back now\\]\\(https:/\u{200B}/evil.example/rollback\\)"
        );
    }

    #[test]
    fn fences_mentions_and_lines_are_defused() {
        let out = escape_markdown("```rust\nboom``` <@123> # head\n> quote ||x||");
        assert!(!out.contains("``"), "{out}");
        assert!(!out.contains('\n'));
        assert!(out.contains("\\<@123\\>"), "{out}");
        assert!(out.contains("\\# head"));
        assert!(out.contains("\\|\\|x\\|\\|"));
    }
}
