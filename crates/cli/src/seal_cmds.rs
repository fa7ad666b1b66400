//! `deliver`, `history` and `notes`: the ledger's commands.

use prod_smoke_model::Verdict;
use prod_smoke_seal::{SealConfig, format_history};

use crate::args::{DeliverArgs, HistoryArgs, LedgerArgs, NotesArgs};
use crate::exit;
use prod_smoke_engine::seal_config;

/// The seal configuration of a ledger command, or the exit code after
/// saying why there is none.
fn ledger_config(ledger: &LedgerArgs, delivery_attempts: u32) -> Result<SealConfig, u8> {
    seal_config(ledger, delivery_attempts, Default::default()).map_err(|e| {
        eprintln!("prod-smoke: {e}");
        exit::BAD_INPUT
    })
}

pub async fn deliver(args: &DeliverArgs) -> u8 {
    let cfg = match ledger_config(&args.ledger, args.delivery.delivery_attempts) {
        Ok(c) => c,
        Err(code) => return code,
    };
    match prod_smoke_seal::deliver_pending(&cfg).await {
        Ok(report) => {
            eprint!("{}", cfg.redactor.redact(&report.to_string()));
            // A ledger left untouched because it cannot be opened needs
            // the operator too, even when its fallback is all delivered.
            if report.still_pending() > 0 || !report.problems.is_empty() {
                exit::ENVIRONMENT
            } else {
                exit::GREEN
            }
        }
        Err(e) => {
            eprintln!(
                "prod-smoke: {}",
                cfg.redactor.redact(&prod_smoke_seal::chain(&e))
            );
            exit::ENVIRONMENT
        }
    }
}

pub async fn history(args: &HistoryArgs) -> u8 {
    // History only reads the ledger; the attempt count is never used.
    let cfg = match ledger_config(&args.ledger, 1) {
        Ok(c) => c,
        Err(code) => return code,
    };
    match prod_smoke_seal::history(&cfg, args.app.as_deref(), args.limit).await {
        Ok(entries) => {
            print!("{}", format_history(&entries));
            exit::GREEN
        }
        Err(e) => {
            eprintln!(
                "prod-smoke: {}",
                cfg.redactor.redact(&prod_smoke_seal::chain(&e))
            );
            exit::ENVIRONMENT
        }
    }
}

/// Puts the latest seal's verdict line into a notes file and/or message.
pub async fn notes(args: &NotesArgs) -> u8 {
    if args.append.is_none() && args.notes_message_id.is_none() {
        eprintln!("prod-smoke: notes needs --append FILE and/or --notes-message-id ID");
        return exit::BAD_INPUT;
    }
    let cfg = match ledger_config(&args.ledger, args.delivery.delivery_attempts) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let app = args.app();
    let entries = match prod_smoke_seal::history(&cfg, Some(app), 50).await {
        Ok(e) => e,
        Err(e) => {
            eprintln!(
                "prod-smoke: {}",
                cfg.redactor.redact(&prod_smoke_seal::chain(&e))
            );
            return exit::ENVIRONMENT;
        }
    };
    // The stored line, not one rebuilt from the plain summary: the notes
    // render Markdown, so the page-derived reason must stay escaped.
    let line = entries.iter().find_map(|e| match e.verdict {
        Verdict::Green | Verdict::Red => Some(e.verdict_line.clone()),
        Verdict::Inconclusive => None,
    });
    let Some(line) = line else {
        eprintln!("prod-smoke: no green or red seal for {app} in the ledger yet");
        return exit::BAD_INPUT;
    };
    if let Some(path) = &args.append {
        // A notes body is operator input like a spec: a regular file under
        // the limit, so a FIFO or a device cannot block or swamp the command.
        let read = {
            let path = path.clone();
            tokio::task::spawn_blocking(move || {
                prod_smoke_input::read_text(&path, prod_smoke_input::MAX_INPUT_BYTES)
            })
            .await
        };
        let body = match read {
            Ok(Ok(b)) => b,
            Ok(Err(e)) if e.is_not_found() => String::new(),
            Ok(Err(e)) => {
                eprintln!("prod-smoke: {e}");
                return exit::BAD_INPUT;
            }
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        };
        if let Err(e) =
            tokio::fs::write(path, prod_smoke_engine::notes_file_body(&body, &line)).await
        {
            eprintln!("prod-smoke: cannot write {}: {e}", path.display());
            return exit::ENVIRONMENT;
        }
        eprintln!("{}: {line}", path.display());
    }
    if let Some(id) = &args.notes_message_id {
        if let Err(e) = prod_smoke_seal::update_release_notes(&cfg, id, &line).await {
            eprintln!(
                "prod-smoke: cannot edit notes message {id}: {}",
                cfg.redactor.redact(&e.to_string())
            );
            return exit::ENVIRONMENT;
        }
        eprintln!("notes message {id}: {line}");
    }
    exit::GREEN
}
