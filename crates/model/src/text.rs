//! The two ways every output of prod-smoke shortens what it shows: text cut
//! to a number of characters, and a duration a person reads at a glance.
//! One definition each, so Discord, the reports and the runner agree.

/// `text` cut to at most `max_chars` characters, the last of them `…` when
/// something was cut (with no space left dangling before it). The result
/// never exceeds `max_chars`, which is what a hard limit (Discord's field
/// sizes, a table cell) needs.
pub fn truncate(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        None => text.to_string(),
        Some(_) if max_chars == 0 => String::new(),
        Some(_) => {
            let (cut, _) = text
                .char_indices()
                .nth(max_chars - 1)
                .expect("the text has more than max_chars characters");
            format!("{}…", text[..cut].trim_end())
        }
    }
}

/// `850 ms`, `1.2 s`, `2 m 05 s`.
pub fn duration(ms: u64) -> String {
    if ms < 1000 {
        format!("{ms} ms")
    } else if ms < 60_000 {
        format!("{:.1} s", ms as f64 / 1000.0)
    } else {
        format!("{} m {:02} s", ms / 60_000, (ms % 60_000) / 1000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_never_exceeds_the_limit() {
        assert_eq!(truncate("short", 10), "short");
        assert_eq!(truncate("exactly", 7), "exactly");
        assert_eq!(truncate("one too many", 11), "one too ma…");
        assert_eq!(truncate("one too many", 11).chars().count(), 11);
        assert_eq!(truncate("cut at a space", 10), "cut at a…");
        assert_eq!(truncate("anything", 0), "");
        assert_eq!(truncate("x", 0), "");
        assert_eq!(truncate("", 0), "");
    }

    #[test]
    fn truncation_counts_characters_not_bytes() {
        assert_eq!(truncate("ééééé", 3), "éé…");
        assert_eq!(truncate("🟢🟢🟢", 3), "🟢🟢🟢");
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(850), "850 ms");
        assert_eq!(duration(1234), "1.2 s");
        assert_eq!(duration(125_000), "2 m 05 s");
    }
}
