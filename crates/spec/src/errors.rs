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
    pub source_line: Option<String>,
}

impl fmt::Display for LocatedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "error: {}", self.message)?;
        write!(f, "  --> {}:{}:{}", self.file, self.line, self.column)?;
        if let Some(src) = &self.source_line {
            let gutter = self.line.to_string().len();
            let pad = " ".repeat(gutter);
            write!(f, "\n{pad} |\n{} | {src}\n{pad} | ", self.line)?;
            write!(f, "{}^", " ".repeat(self.column.saturating_sub(1)))?;
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
        let source_line = source
            .lines()
            .nth(line.saturating_sub(1))
            .map(|l| l.chars().take(200).collect());
        SpecError::Located(Box::new(LocatedError {
            file: file.to_string(),
            line,
            column,
            message: cap(message),
            source_line,
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
