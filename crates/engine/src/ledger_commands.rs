//! The ledger's own commands (`deliver`, `history`, `notes`), one call
//! each: the call does all the work and returns what happened; a front end
//! prints it and picks the exit code.
//!
//! Policy:
//! - Every failure is a [`LedgerCommandError`] whose [`ErrorClass`] says
//!   whose fault it is: the operator's input (nothing was changed), or the
//!   environment (the ledger, the disk, Discord).
//! - Every text in an error or a delivery report is masked with the
//!   ledger's redactor before it is kept, so a front end can print it as
//!   is; without a seal configuration, `--secret` values are masked.
//! - A notes body is operator input like a spec: a regular file under
//!   [`prod_smoke_input::MAX_INPUT_BYTES`]; a missing file counts as empty.

use std::fmt;
use std::path::PathBuf;

use prod_smoke_model::Verdict;
use prod_smoke_redact::Redactor;
use prod_smoke_seal::{DeliverReport, HistoryRead, SealConfig, chain};

use crate::notes::notes_file_body;
use crate::prepare::{redactor_of, seal_config};
use crate::request::LedgerSettings;

/// How many recent seals `notes` looks through for the latest green or
/// red one.
const NOTES_LOOKBACK: u32 = 50;

/// Whose fault a failed ledger command is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// The flags, the environment's settings or an input file: fix them
    /// and run again. Nothing was changed.
    BadInput,
    /// The ledger, the disk or a sink failed; the input was fine.
    Environment,
}

/// A text with every known secret masked. Only this module builds one,
/// so an error cannot carry an unmasked cause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Masked(String);

impl Masked {
    fn new(redactor: &Redactor, text: &str) -> Masked {
        Masked(redactor.redact(text))
    }
}

impl fmt::Display for Masked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a ledger command stopped. Each message says what to do next.
#[derive(Debug, thiserror::Error)]
pub enum LedgerCommandError {
    #[error("notes needs --append FILE and/or --notes-message-id ID")]
    NoNotesTarget,

    /// The seal's configuration cannot be built (no place for the ledger).
    #[error("{0}")]
    Config(Masked),

    /// The ledger could not be opened or read.
    #[error("{0}")]
    Ledger(Masked),

    #[error("no green or red seal for {app} in the ledger yet")]
    NoConclusiveSeal { app: Masked },

    /// The notes file is not readable operator input (not a regular file,
    /// too large, not text); its message names the file and the limit.
    #[error("{0}")]
    NotesFileUnreadable(Masked),

    #[error("cannot write {path}: {cause}")]
    NotesFileUnwritable { path: Masked, cause: Masked },

    /// The message could not be edited. `done` is what had been done
    /// before: the notes file may already have the line.
    #[error("cannot edit notes message {id}: {cause}")]
    NotesMessage {
        id: Masked,
        cause: Masked,
        done: Box<NotesUpdated>,
    },
}

impl LedgerCommandError {
    pub fn class(&self) -> ErrorClass {
        match self {
            LedgerCommandError::NoNotesTarget
            | LedgerCommandError::Config(_)
            | LedgerCommandError::NoConclusiveSeal { .. }
            | LedgerCommandError::NotesFileUnreadable(_) => ErrorClass::BadInput,
            LedgerCommandError::Ledger(_)
            | LedgerCommandError::NotesFileUnwritable { .. }
            | LedgerCommandError::NotesMessage { .. } => ErrorClass::Environment,
        }
    }

    /// What `notes` had done when it stopped: the file that already got
    /// the line when the message could not be edited.
    pub fn notes_done(&self) -> Option<&NotesUpdated> {
        match self {
            LedgerCommandError::NotesMessage { done, .. } => Some(done),
            _ => None,
        }
    }
}

/// What [`deliver_pending`] replayed. Its Display is the report, masked.
#[derive(Debug, Clone)]
pub struct Delivered {
    pub report: DeliverReport,
    masked: Masked,
}

impl Delivered {
    /// A delivery still pending, or a ledger left untouched because it
    /// cannot be opened (even when its fallback is all delivered): either
    /// way the operator has to look.
    pub fn needs_operator(&self) -> bool {
        self.report.still_pending() > 0 || !self.report.problems.is_empty()
    }
}

impl fmt::Display for Delivered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.masked.fmt(f)
    }
}

/// Where `notes` puts the latest seal's verdict line: a file, a
/// release-notes message, or both.
#[derive(Debug, Clone, Default)]
pub struct NotesTarget {
    pub app: String,
    pub append: Option<PathBuf>,
    pub message_id: Option<String>,
}

/// What [`update_notes`] did: the verdict line, and the places that got it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotesUpdated {
    /// The latest green or red seal's line, as stored (Markdown-escaped).
    pub line: String,
    /// The notes file that now ends with the line.
    pub file: Option<PathBuf>,
    /// The release-notes message that now ends with the line.
    pub message_id: Option<String>,
}

/// Replays every pending delivery (`prod-smoke deliver`), trying each sink
/// `attempts` times.
pub async fn deliver_pending(
    ledger: &LedgerSettings,
    attempts: u32,
) -> Result<Delivered, LedgerCommandError> {
    let cfg = ledger_config(ledger, attempts)?;
    match prod_smoke_seal::deliver_pending(&cfg).await {
        Ok(report) => Ok(Delivered {
            masked: Masked::new(&cfg.redactor, &report.to_string()),
            report,
        }),
        Err(e) => Err(ledger_failed(&cfg, &e)),
    }
}

/// The ledger's most recent seals, newest first (`prod-smoke history`),
/// with its fallbacks'; a broken ledger is named in `problems` (masked)
/// when its fallbacks could be read instead.
pub async fn history(
    ledger: &LedgerSettings,
    app: Option<&str>,
    limit: u32,
) -> Result<HistoryRead, LedgerCommandError> {
    // History only reads the ledger; the attempt count is never used.
    let cfg = ledger_config(ledger, 1)?;
    prod_smoke_seal::history(&cfg, app, limit)
        .await
        .map_err(|e| ledger_failed(&cfg, &e))
}

/// Puts the latest green or red seal's verdict line into a notes file
/// and/or a release-notes message (`prod-smoke notes`): the file first,
/// then the message, trying Discord `attempts` times.
pub async fn update_notes(
    ledger: &LedgerSettings,
    target: NotesTarget,
    attempts: u32,
) -> Result<NotesUpdated, LedgerCommandError> {
    if target.append.is_none() && target.message_id.is_none() {
        return Err(LedgerCommandError::NoNotesTarget);
    }
    let cfg = ledger_config(ledger, attempts)?;
    update_notes_with(&cfg, target).await
}

/// [`update_notes`] with the seal's configuration already built.
async fn update_notes_with(
    cfg: &SealConfig,
    target: NotesTarget,
) -> Result<NotesUpdated, LedgerCommandError> {
    let line = latest_conclusive_line(cfg, &target.app).await?;
    let mut done = NotesUpdated {
        line,
        file: None,
        message_id: None,
    };
    if let Some(path) = target.append {
        let body = read_notes_body(cfg, path.clone()).await?;
        let new_body = notes_file_body(&body, &done.line);
        let written = {
            let path = path.clone();
            tokio::task::spawn_blocking(move || replace_file(&path, new_body.as_bytes())).await
        };
        let written = written.unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
        if let Err(e) = written {
            return Err(LedgerCommandError::NotesFileUnwritable {
                path: Masked::new(&cfg.redactor, &path.display().to_string()),
                cause: Masked::new(&cfg.redactor, &e.to_string()),
            });
        }
        done.file = Some(path);
    }
    if let Some(id) = target.message_id {
        if let Err(e) = prod_smoke_seal::update_release_notes(cfg, &id, &done.line).await {
            return Err(LedgerCommandError::NotesMessage {
                id: Masked::new(&cfg.redactor, &id),
                cause: Masked::new(&cfg.redactor, &e.to_string()),
                done: Box::new(done),
            });
        }
        done.message_id = Some(id);
    }
    Ok(done)
}

/// Writes `contents` over the file at `path` whole
/// (`prod_smoke_model::atomic`): a release-notes body is never left
/// half-written by a full disk or a killed prod-smoke. A symlink is
/// followed, so the file it names is replaced and the link kept; the
/// file's permissions are kept.
fn replace_file(path: &std::path::Path, contents: &[u8]) -> std::io::Result<()> {
    let target = match std::fs::canonicalize(path) {
        Ok(real) => real,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => path.to_path_buf(),
        Err(e) => return Err(e),
    };
    let kept = std::fs::metadata(&target).ok().map(|m| m.permissions());
    prod_smoke_model::atomic::write_atomic(&target, contents)?;
    match kept {
        Some(permissions) => std::fs::set_permissions(&target, permissions),
        None => Ok(()),
    }
}

/// The verdict line of `app`'s latest green or red seal. The stored line,
/// not one rebuilt from the plain summary: the notes render Markdown, so
/// the page-derived reason must stay escaped.
async fn latest_conclusive_line(cfg: &SealConfig, app: &str) -> Result<String, LedgerCommandError> {
    // A broken ledger's fallbacks hold the seals it could not take, so the
    // latest line may be there.
    let read = prod_smoke_seal::history(cfg, Some(app), NOTES_LOOKBACK)
        .await
        .map_err(|e| ledger_failed(cfg, &e))?;
    read.entries
        .into_iter()
        .find_map(|e| match e.verdict {
            Verdict::Green | Verdict::Red => Some(e.verdict_line),
            Verdict::Inconclusive => None,
        })
        .ok_or_else(|| LedgerCommandError::NoConclusiveSeal {
            app: Masked::new(&cfg.redactor, app),
        })
}

/// The notes file's text; a file that does not exist yet is empty. Read
/// off the async threads, so a slow disk does not stall them.
async fn read_notes_body(cfg: &SealConfig, path: PathBuf) -> Result<String, LedgerCommandError> {
    let read = tokio::task::spawn_blocking(move || {
        prod_smoke_input::read_text(&path, prod_smoke_input::MAX_INPUT_BYTES)
    })
    .await;
    match read {
        Ok(Ok(body)) => Ok(body),
        Ok(Err(e)) if e.is_not_found() => Ok(String::new()),
        Ok(Err(e)) => Err(LedgerCommandError::NotesFileUnreadable(Masked::new(
            &cfg.redactor,
            &e.to_string(),
        ))),
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

fn ledger_config(ledger: &LedgerSettings, attempts: u32) -> Result<SealConfig, LedgerCommandError> {
    seal_config(ledger, attempts, Default::default()).map_err(|message| {
        LedgerCommandError::Config(Masked::new(&redactor_of([&ledger.secrets]), &message))
    })
}

fn ledger_failed(cfg: &SealConfig, e: &prod_smoke_seal::SealError) -> LedgerCommandError {
    LedgerCommandError::Ledger(Masked::new(&cfg.redactor, &chain(e)))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use prod_smoke_model::{RunReport, Verdict};
    use prod_smoke_seal::{SealConfig, SealOverrides};

    use super::*;

    const APP: &str = "mcritchie-studio";

    /// A seal configuration of a ledger in `dir`, with no sink set up:
    /// the process's environment is not read.
    fn config(dir: &Path) -> SealConfig {
        let tmp = dir.join("tmp");
        std::fs::create_dir_all(&tmp).unwrap();
        let tmp = tmp.display().to_string();
        SealConfig::from_lookup(
            SealOverrides {
                ledger: Some(dir.join("ledger.sqlite3")),
                ..SealOverrides::default()
            },
            move |key| (key == "TMPDIR").then(|| tmp.clone()),
        )
        .unwrap()
    }

    async fn record(cfg: &SealConfig, verdict: Verdict) -> String {
        let mut report = RunReport::begin(
            &format!("run-{verdict:?}"),
            APP,
            "https://mcritchie.studio",
            "@qa-readonly",
            None,
        );
        report.verdict = verdict;
        if verdict == Verdict::Inconclusive {
            report.environment_error = Some("no browser".to_string());
        }
        prod_smoke_seal::seal_run(&report, cfg)
            .await
            .unwrap()
            .verdict_line
    }

    fn to_file(path: &Path) -> NotesTarget {
        NotesTarget {
            app: APP.to_string(),
            append: Some(path.to_path_buf()),
            message_id: None,
        }
    }

    #[tokio::test]
    async fn notes_without_a_file_or_a_message_is_bad_input() {
        let target = NotesTarget {
            app: APP.to_string(),
            ..NotesTarget::default()
        };
        let e = update_notes(&LedgerSettings::default(), target, 1)
            .await
            .unwrap_err();
        assert!(matches!(e, LedgerCommandError::NoNotesTarget), "{e:?}");
        assert_eq!(e.class(), ErrorClass::BadInput);
        assert_eq!(
            e.to_string(),
            "notes needs --append FILE and/or --notes-message-id ID"
        );
    }

    #[tokio::test]
    async fn notes_need_a_green_or_red_seal() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = config(dir.path());
        let notes = dir.path().join("NOTES.md");
        let e = update_notes_with(&cfg, to_file(&notes)).await.unwrap_err();
        assert_eq!(
            e.to_string(),
            "no green or red seal for mcritchie-studio in the ledger yet"
        );
        assert_eq!(e.class(), ErrorClass::BadInput);

        // An inconclusive seal says nothing about the site.
        record(&cfg, Verdict::Inconclusive).await;
        let e = update_notes_with(&cfg, to_file(&notes)).await.unwrap_err();
        assert!(
            matches!(e, LedgerCommandError::NoConclusiveSeal { .. }),
            "{e:?}"
        );
        assert!(!notes.exists(), "nothing is written without a line");
    }

    #[tokio::test]
    async fn a_missing_notes_file_is_created_with_the_latest_line() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = config(dir.path());
        let red = record(&cfg, Verdict::Red).await;
        record(&cfg, Verdict::Inconclusive).await;
        let notes = dir.path().join("NOTES.md");
        let done = update_notes_with(&cfg, to_file(&notes)).await.unwrap();
        assert_eq!(
            done,
            NotesUpdated {
                line: red.clone(),
                file: Some(notes.clone()),
                message_id: None,
            }
        );
        assert_eq!(std::fs::read_to_string(&notes).unwrap(), format!("{red}\n"));
    }

    #[tokio::test]
    async fn a_notes_file_that_is_not_a_regular_file_is_bad_input() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = config(dir.path());
        record(&cfg, Verdict::Green).await;
        let e = update_notes_with(&cfg, to_file(dir.path()))
            .await
            .unwrap_err();
        assert!(
            matches!(e, LedgerCommandError::NotesFileUnreadable(_)),
            "{e:?}"
        );
        assert_eq!(e.class(), ErrorClass::BadInput);
        assert!(e.to_string().contains("not a regular file"), "{e}");
    }

    /// The notes file is replaced whole: through a symlink the file it
    /// names gets the line and the link stays; its mode is kept; no
    /// scratch file is left beside it.
    #[tokio::test]
    async fn the_notes_file_is_replaced_whole_keeping_its_link_and_mode() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let cfg = config(dir.path());
        let green = record(&cfg, Verdict::Green).await;
        let real = dir.path().join("real-notes.md");
        std::fs::write(&real, "## Release\n\nShipped the thing.\n").unwrap();
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
        let link = dir.path().join("NOTES.md");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        update_notes_with(&cfg, to_file(&link)).await.unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
        let body = std::fs::read_to_string(&real).unwrap();
        assert!(
            body.starts_with("## Release\n\nShipped the thing.\n"),
            "{body}"
        );
        assert!(body.contains(&green), "{body}");
        let mode = std::fs::metadata(&real).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| prod_smoke_model::atomic::is_partial(n))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }

    #[tokio::test]
    async fn a_failed_message_edit_keeps_the_written_file() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = config(dir.path());
        let green = record(&cfg, Verdict::Green).await;
        let notes = dir.path().join("NOTES.md");
        let target = NotesTarget {
            message_id: Some("4242".to_string()),
            ..to_file(&notes)
        };
        // No webhook is set up, so the message cannot be edited.
        let e = update_notes_with(&cfg, target).await.unwrap_err();
        assert_eq!(e.class(), ErrorClass::Environment);
        assert!(
            e.to_string()
                .starts_with("cannot edit notes message 4242: "),
            "{e}"
        );
        let LedgerCommandError::NotesMessage { done, .. } = e else {
            panic!("{e:?}");
        };
        assert_eq!(done.file.as_deref(), Some(notes.as_path()));
        assert_eq!(done.message_id, None);
        assert_eq!(done.line, green);
        assert!(std::fs::read_to_string(&notes).unwrap().contains(&green));
    }

    #[tokio::test]
    async fn a_ledger_that_cannot_be_opened_is_the_environment_and_masked() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = LedgerSettings {
            ledger: Some(dir.path().join("s3cret-folder/none/ledger.sqlite3")),
            secrets: vec!["s3cret".to_string()],
        };
        std::fs::write(dir.path().join("s3cret-folder"), "a file, not a folder").unwrap();
        let e = history(&ledger, None, 20).await.unwrap_err();
        assert!(matches!(e, LedgerCommandError::Ledger(_)), "{e:?}");
        assert_eq!(e.class(), ErrorClass::Environment);
        assert!(!e.to_string().contains("s3cret"), "{e}");
        assert!(e.to_string().contains("***"), "{e}");
    }

    #[tokio::test]
    async fn an_empty_ledger_has_nothing_to_deliver() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = LedgerSettings {
            ledger: Some(dir.path().join("ledger.sqlite3")),
            secrets: Vec::new(),
        };
        let delivered = deliver_pending(&ledger, 1).await.unwrap();
        assert!(!delivered.needs_operator());
        assert_eq!(
            delivered.to_string(),
            "Nothing pending: every seal has been delivered.\n"
        );
        assert!(
            history(&ledger, Some(APP), 20)
                .await
                .unwrap()
                .entries
                .is_empty()
        );
    }
}
