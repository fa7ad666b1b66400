//! `press: Enter`: Playwright's `keyboard.press()` (or `locator.press()`
//! with `in:`). Keys are named as Playwright names them: `KeyboardEvent.key`
//! values such as `Enter`, `Tab`, `Escape` or `ArrowDown`, a single
//! character, and chords such as `Control+A` or `Shift+Tab`.

use std::time::Duration;

use prod_smoke_suggest::did_you_mean;
use serde::de;

use crate::steps::Fields;
use crate::steps::Locator;

/// `press: key`, optionally `in: locator` (focused first).
#[derive(Debug, Clone, PartialEq)]
pub struct Press {
    /// As written, e.g. `Control+A`.
    pub key: String,
    /// The keys of the chord, modifiers first, each as [`key_def`] knows it.
    pub chord: Vec<&'static Key>,
    /// Without `in`, the key goes to whatever has the focus.
    pub target: Option<Locator>,
    pub timeout: Option<Duration>,
}

/// What a key sends: DOM `key` and `code`, the legacy key code Chromium
/// needs for default actions (Enter submits, Tab moves the focus), and
/// the text it types, if any.
#[derive(Debug, PartialEq, Eq)]
pub struct Key {
    pub name: &'static str,
    pub key: &'static str,
    pub code: &'static str,
    pub key_code: i64,
    pub text: &'static str,
}

/// The modifiers a chord may hold, with the CDP modifier bit of each.
pub const MODIFIERS: &[(&str, i64)] = &[("Alt", 1), ("Control", 2), ("Meta", 4), ("Shift", 8)];

const fn k(
    name: &'static str,
    key: &'static str,
    code: &'static str,
    key_code: i64,
    text: &'static str,
) -> Key {
    Key {
        name,
        key,
        code,
        key_code,
        text,
    }
}

/// Playwright's US keyboard layout, for the keys a smoke test presses.
pub const NAMED_KEYS: &[Key] = &[
    k("Enter", "Enter", "Enter", 13, "\r"),
    k("Tab", "Tab", "Tab", 9, ""),
    k("Escape", "Escape", "Escape", 27, ""),
    k("Backspace", "Backspace", "Backspace", 8, ""),
    k("Delete", "Delete", "Delete", 46, ""),
    k("Insert", "Insert", "Insert", 45, ""),
    k("Space", " ", "Space", 32, " "),
    k("Home", "Home", "Home", 36, ""),
    k("End", "End", "End", 35, ""),
    k("PageUp", "PageUp", "PageUp", 33, ""),
    k("PageDown", "PageDown", "PageDown", 34, ""),
    k("ArrowUp", "ArrowUp", "ArrowUp", 38, ""),
    k("ArrowDown", "ArrowDown", "ArrowDown", 40, ""),
    k("ArrowLeft", "ArrowLeft", "ArrowLeft", 37, ""),
    k("ArrowRight", "ArrowRight", "ArrowRight", 39, ""),
    k("F1", "F1", "F1", 112, ""),
    k("F2", "F2", "F2", 113, ""),
    k("F3", "F3", "F3", 114, ""),
    k("F4", "F4", "F4", 115, ""),
    k("F5", "F5", "F5", 116, ""),
    k("F6", "F6", "F6", 117, ""),
    k("F7", "F7", "F7", 118, ""),
    k("F8", "F8", "F8", 119, ""),
    k("F9", "F9", "F9", 120, ""),
    k("F10", "F10", "F10", 121, ""),
    k("F11", "F11", "F11", 122, ""),
    k("F12", "F12", "F12", 123, ""),
    k("Shift", "Shift", "ShiftLeft", 16, ""),
    k("Control", "Control", "ControlLeft", 17, ""),
    k("Alt", "Alt", "AltLeft", 18, ""),
    k("Meta", "Meta", "MetaLeft", 91, ""),
];

/// Letters, digits and the US layout's punctuation: (character, shifted
/// character, code, key code).
const CHARACTER_KEYS: &[(char, char, &str, i64)] = &[
    ('a', 'A', "KeyA", 65),
    ('b', 'B', "KeyB", 66),
    ('c', 'C', "KeyC", 67),
    ('d', 'D', "KeyD", 68),
    ('e', 'E', "KeyE", 69),
    ('f', 'F', "KeyF", 70),
    ('g', 'G', "KeyG", 71),
    ('h', 'H', "KeyH", 72),
    ('i', 'I', "KeyI", 73),
    ('j', 'J', "KeyJ", 74),
    ('k', 'K', "KeyK", 75),
    ('l', 'L', "KeyL", 76),
    ('m', 'M', "KeyM", 77),
    ('n', 'N', "KeyN", 78),
    ('o', 'O', "KeyO", 79),
    ('p', 'P', "KeyP", 80),
    ('q', 'Q', "KeyQ", 81),
    ('r', 'R', "KeyR", 82),
    ('s', 'S', "KeyS", 83),
    ('t', 'T', "KeyT", 84),
    ('u', 'U', "KeyU", 85),
    ('v', 'V', "KeyV", 86),
    ('w', 'W', "KeyW", 87),
    ('x', 'X', "KeyX", 88),
    ('y', 'Y', "KeyY", 89),
    ('z', 'Z', "KeyZ", 90),
    ('0', ')', "Digit0", 48),
    ('1', '!', "Digit1", 49),
    ('2', '@', "Digit2", 50),
    ('3', '#', "Digit3", 51),
    ('4', '$', "Digit4", 52),
    ('5', '%', "Digit5", 53),
    ('6', '^', "Digit6", 54),
    ('7', '&', "Digit7", 55),
    ('8', '*', "Digit8", 56),
    ('9', '(', "Digit9", 57),
    ('-', '_', "Minus", 189),
    ('=', '+', "Equal", 187),
    ('[', '{', "BracketLeft", 219),
    (']', '}', "BracketRight", 221),
    ('\\', '|', "Backslash", 220),
    (';', ':', "Semicolon", 186),
    ('\'', '"', "Quote", 222),
    (',', '<', "Comma", 188),
    ('.', '>', "Period", 190),
    ('/', '?', "Slash", 191),
    ('`', '~', "Backquote", 192),
];

/// Every key a character or a code names, built once: `a`, `A`, `KeyA`, ...
fn character_keys() -> &'static [Key] {
    static KEYS: std::sync::OnceLock<Vec<Key>> = std::sync::OnceLock::new();
    KEYS.get_or_init(|| {
        let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
        let mut out = Vec::new();
        for &(plain, shifted, code, key_code) in CHARACTER_KEYS {
            for c in [plain, shifted] {
                let s = leak(c.to_string());
                out.push(k(s, s, code, key_code, s));
            }
            // The code names the unshifted key (Playwright's `KeyA` is `a`).
            let s = leak(plain.to_string());
            out.push(k(code, s, code, key_code, s));
        }
        out
    })
}

/// The key a name stands for, as Playwright's layout reads it.
pub fn key_def(name: &str) -> Option<&'static Key> {
    NAMED_KEYS
        .iter()
        .find(|k| k.name == name)
        .or_else(|| character_keys().iter().find(|k| k.name == name))
}

/// Every name `press` takes, for the reference and the suggestions.
pub fn key_names() -> Vec<&'static str> {
    NAMED_KEYS
        .iter()
        .chain(character_keys())
        .map(|k| k.name)
        .collect()
}

/// `Control+Shift+A` as its keys; `+` alone and `Control++` name the plus key.
pub fn parse_chord(raw: &str) -> Result<Vec<&'static Key>, String> {
    if raw.is_empty() {
        return Err("`press` needs a key, such as `Enter` or `Control+A`".into());
    }
    // Playwright's split: a `+` ends a key only when one is being built.
    let mut parts: Vec<String> = Vec::new();
    let mut building = String::new();
    for c in raw.chars() {
        if c == '+' && !building.is_empty() {
            parts.push(std::mem::take(&mut building));
        } else {
            building.push(c);
        }
    }
    parts.push(building);
    let (last, modifiers) = parts.split_last().expect("at least one part");
    let mut keys = Vec::new();
    for m in modifiers {
        if !MODIFIERS.iter().any(|(name, _)| name == m) {
            let names: Vec<&str> = MODIFIERS.iter().map(|(n, _)| *n).collect();
            return Err(match closest_key(m, &names) {
                Some(s) => {
                    format!("`{m}` in `press: {raw}` is not a modifier; did you mean `{s}`?")
                }
                None => format!(
                    "`{m}` in `press: {raw}` is not a modifier; a chord's modifiers are `Alt`, `Control`, `Meta` and `Shift`"
                ),
            });
        }
        keys.push(key_def(m).expect("modifiers are named keys"));
    }
    match key_def(last) {
        Some(key) => keys.push(key),
        None => {
            let names: Vec<&str> = NAMED_KEYS.iter().map(|k| k.name).collect();
            return Err(match closest_key(last, &names) {
                Some(s) => format!("unknown key `{last}` in `press: {raw}`; did you mean `{s}`?"),
                None => format!(
                    "unknown key `{last}` in `press: {raw}`; name a key as Playwright does, such as `Enter`, `Tab`, `ArrowDown`, `a` or `Control+A`"
                ),
            });
        }
    }
    Ok(keys)
}

/// The closest key name, whatever the case of either (key names are
/// capitalised, `did_you_mean` compares against lower case input).
fn closest_key(input: &str, names: &[&'static str]) -> Option<&'static str> {
    let lower: Vec<String> = names.iter().map(|n| n.to_lowercase()).collect();
    let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
    let found = did_you_mean(input, &lower)?;
    names.iter().copied().find(|n| n.to_lowercase() == found)
}

/// `press: key`, optionally `in: locator` and `timeout`.
pub(crate) fn parse<E: de::Error>(f: &mut Fields) -> Result<Press, E> {
    let key = f.require_str::<E>("press")?;
    let chord = parse_chord(&key).map_err(E::custom)?;
    Ok(Press {
        key,
        chord,
        target: f.take_locator("in")?,
        timeout: f.take_timeout()?,
    })
}

impl Press {
    pub fn describe(&self) -> String {
        match &self.target {
            None => format!("press {}", self.key),
            Some(t) => format!("press {} in {}", self.key, t.describe()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chords_read_as_playwright_reads_them() {
        let names =
            |raw: &str| -> Vec<&str> { parse_chord(raw).unwrap().iter().map(|k| k.name).collect() };
        assert_eq!(names("Enter"), ["Enter"]);
        assert_eq!(names("Control+A"), ["Control", "A"]);
        assert_eq!(names("Shift+Tab"), ["Shift", "Tab"]);
        assert_eq!(names("+"), ["+"]);
        assert_eq!(names("Control++"), ["Control", "+"]);
        assert_eq!(key_def("KeyA").unwrap().key, "a");
        assert_eq!(key_def("Space").unwrap().text, " ");
        assert!(
            parse_chord("Entr")
                .unwrap_err()
                .contains("did you mean `Enter`")
        );
        assert!(
            parse_chord("Ctrl+A")
                .unwrap_err()
                .contains("not a modifier")
        );
        assert!(parse_chord("").is_err());
    }
}
