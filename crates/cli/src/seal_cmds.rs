//! `deliver`, `history` and `notes`: the ledger's commands. The engine
//! does the work; this prints what it did and picks the exit code.

use prod_smoke_engine::{LedgerCommandError, NotesTarget};
use prod_smoke_seal::format_history;

use crate::args::{DeliverArgs, HistoryArgs, NotesArgs};
use crate::exit;

pub async fn deliver(args: &DeliverArgs) -> u8 {
    let attempts = args.delivery.delivery_attempts;
    match prod_smoke_engine::deliver_pending(&args.ledger, attempts).await {
        Ok(delivered) => {
            eprint!("{delivered}");
            exit::of_delivered(&delivered)
        }
        Err(e) => failed(&e),
    }
}

pub async fn history(args: &HistoryArgs) -> u8 {
    match prod_smoke_engine::history(&args.ledger, args.app.as_deref(), args.limit).await {
        Ok(read) => {
            print!("{}", format_history(&read.entries));
            // Seals from the fallbacks are listed, but the broken ledger
            // still needs the operator, as `deliver` says too.
            for problem in &read.problems {
                eprintln!("prod-smoke: {problem}; the seals above include its fallback ledgers'");
            }
            match read.problems.is_empty() {
                true => exit::GREEN,
                false => exit::ENVIRONMENT,
            }
        }
        Err(e) => failed(&e),
    }
}

/// Puts the latest seal's verdict line into a notes file and/or message.
pub async fn notes(args: &NotesArgs) -> u8 {
    let target = NotesTarget {
        app: args.app().to_string(),
        append: args.append.clone(),
        message_id: args.notes_message_id.clone(),
    };
    let attempts = args.delivery.delivery_attempts;
    let result = prod_smoke_engine::update_notes(&args.ledger, target, attempts).await;
    let done = match &result {
        Ok(done) => Some(done),
        // When the message failed, the file may have the line already.
        Err(e) => e.notes_done(),
    };
    if let Some(done) = done {
        if let Some(path) = &done.file {
            eprintln!("{}: {}", path.display(), done.line);
        }
        if let Some(id) = &done.message_id {
            eprintln!("notes message {id}: {}", done.line);
        }
    }
    result.map_or_else(|e| failed(&e), |_| exit::GREEN)
}

/// The error is masked already; it says what to do next.
fn failed(e: &LedgerCommandError) -> u8 {
    eprintln!("prod-smoke: {e}");
    exit::of_ledger_error(e)
}
