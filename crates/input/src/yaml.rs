//! Checks on YAML text before it is parsed.
//!
//! The parser's scanner does work for every open flow collection on every
//! token, so `status: [[[[…]]]]` costs depth × length: 40,000 levels under
//! the 1 MiB limit took 4.8 s, 200,000 took 134 s, before the deserialiser's
//! own limit (128) refused it. [`check_yaml`] counts nesting first, in one
//! linear pass that understands just enough YAML (quotes, comments, block
//! scalars, flow brackets, indentation and compact `- - x` entries) to
//! count the levels a parser would open, and refuses past
//! [`MAX_YAML_DEPTH`]. It may over-count a level in odd corners (a
//! continuation line of a plain scalar); real files are far from the limit.
//!
//! Only then are duplicate keys looked for, with the real parser: serde
//! keeps the last of two equal keys in a map without a word.

use std::collections::HashSet;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, Visitor};

use crate::excerpt::{EXCERPT_CHARS, excerpt};

/// The deepest nesting accepted. prod-smoke's specs and config files nest
/// fewer than ten levels; the deserialiser stops at 128 anyway.
pub const MAX_YAML_DEPTH: usize = 64;

/// Why a YAML text was refused before parsing, and where (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlIssue {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for YamlIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

/// Refuses nesting deeper than [`MAX_YAML_DEPTH`], then any key written
/// twice in one mapping. A text the parser cannot read passes: the real
/// parse reports it with its place.
pub fn check_yaml(source: &str) -> Result<(), YamlIssue> {
    check_depth(source, MAX_YAML_DEPTH)?;
    check_duplicate_keys(source)
}

/// Counts nesting in one pass over `source`; see the module docs.
pub(crate) fn check_depth(source: &str, max: usize) -> Result<(), YamlIssue> {
    let mut scan = Depth {
        max,
        flow: 0,
        block: Vec::new(),
        quote: None,
        block_scalar: None,
        line_no: 0,
        content: false,
        ended: false,
    };
    for (n, raw) in source.split('\n').enumerate() {
        scan.line_no = n + 1;
        scan.line(raw.strip_suffix('\r').unwrap_or(raw))?;
    }
    Ok(())
}

struct Depth {
    max: usize,
    /// Open `[` and `{`.
    flow: usize,
    /// Columns of the open block collections, increasing.
    block: Vec<usize>,
    /// Inside a quoted scalar that spans lines.
    quote: Option<u8>,
    /// Inside a `|` or `>` scalar whose parent is at this indentation.
    block_scalar: Option<usize>,
    line_no: usize,
    /// A node has been seen, so a `---` would start a second document.
    content: bool,
    /// A `...` ended the document.
    ended: bool,
}

impl Depth {
    fn line(&mut self, line: &str) -> Result<(), YamlIssue> {
        let b = line.as_bytes();
        let indent = b.iter().take_while(|&&c| c == b' ').count();
        if let Some(parent) = self.block_scalar {
            if indent == b.len() || indent > parent {
                return Ok(());
            }
            self.block_scalar = None;
        }
        let mut p = 0;
        if let Some(q) = self.quote {
            match close_quote(b, 0, q) {
                Some(end) => {
                    self.quote = None;
                    p = end;
                }
                None => return Ok(()),
            }
        } else if self.flow == 0 {
            let rest = &b[indent..];
            if rest.is_empty() || rest[0] == b'#' || (indent == 0 && rest[0] == b'%') {
                return Ok(());
            }
            if indent == 0 && (rest.starts_with(b"---") || rest.starts_with(b"...")) && blank(b, 3)
            {
                if rest[0] == b'.' {
                    self.ended = true;
                    return Ok(());
                }
                if self.content {
                    return Err(self.second_document());
                }
                self.block.clear();
                p = 3;
            } else {
                if self.ended {
                    return Err(self.second_document());
                }
                self.content = true;
                while self.block.last().is_some_and(|&top| top > indent) {
                    self.block.pop();
                }
                self.push_block(line, indent)?;
                p = indent;
            }
        }
        self.tokens(line, p, indent)
    }

    /// Scans one line from `p` in whichever context is open.
    fn tokens(&mut self, line: &str, mut p: usize, indent: usize) -> Result<(), YamlIssue> {
        let b = line.as_bytes();
        // After `- ` or `? ` the next node opens a block collection there.
        let mut compact = false;
        while p < b.len() {
            let c = b[p];
            if c == b' ' || c == b'\t' {
                p += 1;
                continue;
            }
            if c == b'#' && (p == 0 || matches!(b[p - 1], b' ' | b'\t')) {
                return Ok(());
            }
            // A quote opens a scalar only where a node starts: in flow
            // context `[it's, [[…` is a plain scalar, and its brackets count.
            let node_start = p == 0 || matches!(b[p - 1], b' ' | b'\t' | b'[' | b'{' | b',' | b':');
            if (c == b'"' || c == b'\'') && (self.flow == 0 || node_start) {
                match close_quote(b, p + 1, c) {
                    Some(end) => p = end,
                    None => {
                        self.quote = Some(c);
                        return Ok(());
                    }
                }
                compact = false;
                continue;
            }
            if self.flow > 0 {
                match c {
                    b'[' | b'{' => self.push_flow(line, p)?,
                    b']' | b'}' => self.flow -= 1,
                    _ => {}
                }
                p += 1;
                continue;
            }
            match c {
                b'&' | b'!' | b'*' => {
                    // A property belongs to the node after it.
                    while p < b.len() && !matches!(b[p], b' ' | b'\t') {
                        p += 1;
                    }
                    continue;
                }
                _ if compact => {
                    self.push_block(line, p)?;
                    compact = false;
                }
                _ => {}
            }
            match c {
                b'-' | b'?' if blank(b, p + 1) => {
                    compact = true;
                    p += 1;
                }
                b':' if blank(b, p + 1) => p += 1,
                b'[' | b'{' => {
                    self.push_flow(line, p)?;
                    p += 1;
                }
                b'|' | b'>' => {
                    self.block_scalar = Some(indent);
                    return Ok(());
                }
                _ => p = plain_end(b, p),
            }
        }
        Ok(())
    }

    /// The parser refuses a second document without a place; refuse it
    /// here with one.
    fn second_document(&self) -> YamlIssue {
        YamlIssue {
            line: self.line_no,
            column: 1,
            message: "a second YAML document starts here; the file holds one".into(),
        }
    }

    fn push_block(&mut self, line: &str, col: usize) -> Result<(), YamlIssue> {
        if self.block.last().is_none_or(|&top| top < col) {
            self.block.push(col);
            self.check(line, col)?;
        }
        Ok(())
    }

    fn push_flow(&mut self, line: &str, col: usize) -> Result<(), YamlIssue> {
        self.flow += 1;
        self.check(line, col)
    }

    fn check(&self, line: &str, col: usize) -> Result<(), YamlIssue> {
        if self.block.len() + self.flow <= self.max {
            return Ok(());
        }
        Err(YamlIssue {
            line: self.line_no,
            column: line[..col].chars().count() + 1,
            message: format!(
                "nesting deeper than {} levels is refused before parsing; \
                 prod-smoke's files need fewer than ten",
                self.max
            ),
        })
    }
}

/// True when `b[i]` is the end of the line or a space.
fn blank(b: &[u8], i: usize) -> bool {
    i >= b.len() || matches!(b[i], b' ' | b'\t')
}

/// Index just past the quote that closes a scalar opened by `q`, searching
/// from `p`; `None` when it continues on the next line.
fn close_quote(b: &[u8], mut p: usize, q: u8) -> Option<usize> {
    while p < b.len() {
        match b[p] {
            b'\\' if q == b'"' => p += 2,
            c if c == q => {
                if q == b'\'' && b.get(p + 1) == Some(&b'\'') {
                    p += 2;
                } else {
                    return Some(p + 1);
                }
            }
            _ => p += 1,
        }
    }
    None
}

/// End of a plain scalar in block context: before `: `, ` #` or the end of
/// the line. Brackets inside it (`text: a[b]`) open nothing.
fn plain_end(b: &[u8], mut p: usize) -> usize {
    while p < b.len() {
        match b[p] {
            b':' if blank(b, p + 1) => return p,
            b'#' if matches!(b[p - 1], b' ' | b'\t') => return p,
            _ => p += 1,
        }
    }
    p
}

/// Refuses a key written twice in one mapping, naming both places.
///
/// The walk runs on the real parser through serde. An error raised while a
/// key is read carries that key's line and column, so the walk fails on
/// purpose at the second copy; a second walk fails at the first copy of the
/// same key in the same mapping (mappings are numbered in document order).
pub(crate) fn check_duplicate_keys(source: &str) -> Result<(), YamlIssue> {
    let Some(dup) = walk(source, Hunt::Second) else {
        return Ok(());
    };
    let (line, column) = dup.place;
    let first = walk(
        source,
        Hunt::First {
            mapping: dup.mapping,
            key: dup.key.clone(),
        },
    )
    .map(|f| format!(" (first at line {}, column {})", f.place.0, f.place.1))
    .unwrap_or_default();
    Err(YamlIssue {
        line,
        column,
        message: format!(
            "key `{}` is written twice in one mapping{first}; remove one, \
             the parser would keep the last without a word",
            excerpt(&dup.key, EXCERPT_CHARS)
        ),
    })
}

#[derive(Debug, Clone)]
enum Hunt {
    /// Fail at the second copy of any key.
    Second,
    /// Fail at the first copy of `key` in mapping number `mapping`.
    First { mapping: usize, key: String },
}

struct Found {
    mapping: usize,
    key: String,
    place: (usize, usize),
}

struct Walk {
    hunt: Hunt,
    mappings: usize,
    found: Option<(usize, String)>,
}

/// Walks every document; returns where the hunt stopped, if it did.
fn walk(source: &str, hunt: Hunt) -> Option<Found> {
    let mut w = Walk {
        hunt,
        mappings: 0,
        found: None,
    };
    for doc in serde_yaml::Deserializer::from_str(source) {
        if let Err(e) = Node(&mut w).deserialize(doc) {
            let (mapping, key) = w.found.take()?;
            let place = e.location().map_or((1, 1), |l| (l.line(), l.column()));
            return Some(Found {
                mapping,
                key,
                place,
            });
        }
    }
    None
}

/// Any node: scalars are skipped, collections walked.
struct Node<'w>(&'w mut Walk);

impl<'de> DeserializeSeed<'de> for Node<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

macro_rules! skip_scalars {
    ($($name:ident: $t:ty),*) => {
        $(fn $name<E: de::Error>(self, _: $t) -> Result<Self::Value, E> { Ok(Default::default()) })*
    };
}

impl<'de> Visitor<'de> for Node<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML node")
    }

    skip_scalars!(visit_bool: bool, visit_i64: i64, visit_u64: u64, visit_f64: f64,
        visit_str: &str, visit_bytes: &[u8], visit_i128: i128, visit_u128: u128);

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Node(&mut *self.0))?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mapping = self.0.mappings;
        self.0.mappings += 1;
        let mut keys = HashSet::new();
        while map
            .next_key_seed(Key {
                walk: &mut *self.0,
                mapping,
                keys: &mut keys,
            })?
            .is_some()
        {
            map.next_value_seed(Node(&mut *self.0))?;
        }
        Ok(())
    }

    /// A tagged node (`!name value`).
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<(), A::Error> {
        let (_tag, value) = data.variant::<de::IgnoredAny>()?;
        de::VariantAccess::newtype_variant_seed(value, Node(self.0))
    }
}

/// A mapping key: compared by its text, and where the hunt stops.
struct Key<'w> {
    walk: &'w mut Walk,
    mapping: usize,
    keys: &'w mut HashSet<String>,
}

impl Key<'_> {
    fn seen<E: de::Error>(self, key: String) -> Result<(), E> {
        let stop = match &self.walk.hunt {
            Hunt::Second => self.keys.contains(&key),
            Hunt::First { mapping, key: k } => *mapping == self.mapping && *k == key,
        };
        if stop {
            self.walk.found = Some((self.mapping, key));
            // Raised inside the key, so the parser gives it the key's place.
            return Err(E::custom("duplicate key"));
        }
        self.keys.insert(key);
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Key<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a mapping key")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.seen(v.to_string())
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        self.seen(v.to_string())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.seen(v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.seen(v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        self.seen(v.to_string())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.seen("~".to_string())
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.seen("~".to_string())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
    // A collection used as a key is walked, not compared.
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        Node(self.walk).visit_seq(seq)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        Node(self.walk).visit_map(map)
    }
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<(), A::Error> {
        Node(self.walk).visit_enum(data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth(src: &str) -> Result<(), YamlIssue> {
        check_depth(src, 4)
    }

    #[test]
    fn counts_flow_block_and_compact_nesting() {
        assert!(depth("a: [[1]]\n").is_ok());
        assert_eq!(depth("a: [[[[1]]]]\n").unwrap_err().column, 7);
        assert!(depth("a:\n  b:\n    c:\n      d: 1\n").is_ok());
        let e = depth("a:\n  b:\n    c:\n      d:\n        e: 1\n").unwrap_err();
        assert_eq!((e.line, e.column), (5, 9));
        assert!(depth("- - - x\n").is_ok());
        assert_eq!(depth("- - - - - x\n").unwrap_err().column, 9);
        assert!(depth("- a: 1\n  b: [1]\n").is_ok());
    }

    #[test]
    fn brackets_in_quotes_comments_scalars_and_block_scalars_open_nothing() {
        let src = "a: \"[[[[[\"\nb: '[[[[[['\nc: x[[[[[[ # [[[[[\nd: |\n  [[[[[[[\n  {{{{{{\ne: [\"]]]\", '[[[[[']\n";
        assert!(depth(src).is_ok(), "{:?}", depth(src));
        let multi = "a: \"one [[[[[[\n  two [[[[[\"\nb: 1\n";
        assert!(depth(multi).is_ok());
        // An apostrophe inside a flow scalar opens no quote.
        assert!(depth("a: [it's, [[[1]]]]\n").is_err());
        assert!(depth("a: [it's, [1]]\nb: ['x', \"y\"]\n").is_ok());
    }

    #[test]
    fn a_deep_flow_is_refused_in_linear_time() {
        let deep = format!("status: {}{}\n", "[".repeat(200_000), "]".repeat(200_000));
        let started = std::time::Instant::now();
        let e = check_yaml(&deep).unwrap_err();
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
        assert_eq!((e.line, e.column), (1, 9 + MAX_YAML_DEPTH - 1));
        assert!(e.message.contains("nesting deeper than 64"), "{e}");
    }

    #[test]
    fn duplicate_keys_name_both_places() {
        let src = "apps:\n  one:\n    repo: a\n  two: {}\n  one:\n    repo: b\n";
        let e = check_yaml(src).unwrap_err();
        assert_eq!((e.line, e.column), (5, 3), "{e}");
        assert!(e.message.contains("`one`"), "{e}");
        assert!(e.message.contains("first at line 2, column 3"), "{e}");
        // The same key in two different mappings is fine.
        assert!(check_yaml("a: {x: 1}\nb: {x: 2}\nc: [{x: 1}, {x: 2}]\n").is_ok());
        let flow = check_yaml("a: {x: 1, y: 2, x: 3}\n").unwrap_err();
        assert_eq!((flow.line, flow.column), (1, 17), "{flow}");
        assert!(flow.message.contains("first at line 1, column 5"), "{flow}");
    }

    #[test]
    fn a_second_document_is_refused_where_it_starts() {
        assert!(check_yaml("---\na: 1\n...\n").is_ok());
        assert!(check_yaml("# c\n---\na: 1\n").is_ok());
        let e = check_yaml("a: 1\n---\nb: 2\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 1), "{e}");
        let e = check_yaml("a: 1\n...\nb: 2\n").unwrap_err();
        assert_eq!((e.line, e.column), (3, 1), "{e}");
        assert!(check_yaml("a: |\n  ---\n").is_ok());
    }

    #[test]
    fn unparsable_text_is_left_to_the_parser() {
        assert!(check_yaml("a: [\n").is_ok());
        assert!(check_yaml("").is_ok());
        assert!(check_yaml("a: *nope\n").is_ok());
    }
}
