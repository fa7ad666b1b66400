use std::fmt;

/// Why a spec could not be loaded. Parse errors read like a compiler's:
/// file, line and column, the source line and a caret.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    #[error("{0}")]
    Located(Box<LocatedError>),

    #[error("{file}: {message}")]
    Invalid { file: String, message: String },

    /// Not a regular file, not text, or unreadable: the whole file is
    /// refused, and the message names it.
    #[error(transparent)]
    Read(#[from] prod_smoke_input::ReadError),

    #[error("{file}: spec is over the {limit}-byte limit; real suites are a few kilobytes")]
    TooLarge { file: String, limit: usize },
}

/// A parse error at a known place in a spec file.
#[derive(Debug)]
pub struct LocatedError {
    pub file: String,
    /// 1-based.
    pub line: usize,
    /// 1-based.
    pub column: usize,
    pub message: String,
    /// The part of the line around the column, at most 160 characters.
    pub source_line: Option<String>,
    /// 1-based column of the caret within `source_line`.
    pub caret: usize,
}

/// How much of the offending line an error shows: a window around the
/// column, so a 1 MB line is never echoed and the caret stays on screen.
const SHOWN_CHARS: usize = 160;

impl fmt::Display for LocatedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "error: {}", self.message)?;
        write!(f, "  --> {}:{}:{}", self.file, self.line, self.column)?;
        if let Some(src) = &self.source_line {
            let gutter = self.line.to_string().len();
            let pad = " ".repeat(gutter);
            write!(f, "\n{pad} |\n{} | {src}\n{pad} | ", self.line)?;
            write!(f, "{}^", " ".repeat(self.caret.saturating_sub(1)))?;
        }
        Ok(())
    }
}

impl SpecError {
    /// Line and column of the error, when the error has a place.
    pub fn location(&self) -> Option<(usize, usize)> {
        match self {
            SpecError::Located(e) => Some((e.line, e.column)),
            _ => None,
        }
    }

    pub(crate) fn located(
        file: &str,
        source: &str,
        line: usize,
        column: usize,
        message: String,
    ) -> Self {
        let (source_line, caret) = match source.lines().nth(line.saturating_sub(1)) {
            Some(l) => {
                let (shown, caret) = window(l, column);
                (Some(shown), caret)
            }
            None => (None, column),
        };
        SpecError::Located(Box::new(LocatedError {
            file: file.to_string(),
            line,
            column,
            message: cap(message),
            source_line,
            caret,
        }))
    }

    pub(crate) fn invalid(file: &str, message: String) -> Self {
        SpecError::Invalid {
            file: file.to_string(),
            message: cap(message),
        }
    }
}

/// The longest message an error prints. Each value a step echoes is already
/// an excerpt; this keeps any other message (the parser's own, quoting a
/// scalar) from echoing a whole file.
const MAX_MESSAGE_CHARS: usize = 600;

fn cap(message: String) -> String {
    if message.chars().count() <= MAX_MESSAGE_CHARS {
        return message;
    }
    prod_smoke_input::excerpt(&message, MAX_MESSAGE_CHARS)
}

/// At most [`SHOWN_CHARS`] of `line`, starting early enough to show
/// `column` with some context; a cut start is marked `…`. Returns the text
/// and the caret's column in it.
fn window(line: &str, column: usize) -> (String, usize) {
    let skip = column
        .saturating_sub(SHOWN_CHARS / 2)
        .min(line.chars().count());
    let body: String = line.chars().skip(skip).take(SHOWN_CHARS).collect();
    if skip == 0 {
        (body, column)
    } else {
        (format!("…{body}"), column - skip + 1)
    }
}
