//! A release-notes file ended with the seal's verdict line, for
//! `prod-smoke notes --append`.

use prod_smoke_seal::apply_verdict_line;

/// The notes file with the verdict line applied, ending in a newline as a
/// text file does (unless the file had text and no final newline).
pub(crate) fn notes_file_body(body: &str, line: &str) -> String {
    let mut out = apply_verdict_line(body, line);
    if body.is_empty() || body.ends_with('\n') {
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::notes_file_body;

    #[test]
    fn the_notes_file_keeps_its_last_newline() {
        let line = "🟢 Production smoke seal: passed";
        assert_eq!(
            notes_file_body("## rc-1\n- a change\n", line),
            format!("## rc-1\n- a change\n\n{line}\n")
        );
        // Replacing an older verdict line, too.
        assert_eq!(
            notes_file_body(&format!("## rc-1\n\n{line}\n"), line),
            format!("## rc-1\n\n{line}\n")
        );
        assert_eq!(notes_file_body("", line), format!("{line}\n"));
        assert_eq!(
            notes_file_body("no newline", line),
            format!("no newline\n\n{line}")
        );
    }
}
