//! The release-notes message ends with the verdict line.

use prod_smoke_seal::{
    NotesEdit, Sink, SinkOutcome, apply_verdict_line, seal_run, update_release_notes,
};
use prod_smoke_testkit::MockDiscord;

use crate::support::*;

#[test]
fn apply_verdict_line_appends_replaces_and_never_duplicates() {
    let green = "🟢 Production smoke seal: passed — @qa-readonly green vs mcritchie.studio";
    let red = "🔴 Production smoke seal: FAILED — @qa-readonly FAILED vs mcritchie.studio — x";
    let body = "## rc-42\n- Fix the board\n";
    let once = apply_verdict_line(body, red);
    assert_eq!(once, format!("## rc-42\n- Fix the board\n\n{red}"));
    let replaced = apply_verdict_line(&once, green);
    assert_eq!(replaced, format!("## rc-42\n- Fix the board\n\n{green}"));
    assert_eq!(apply_verdict_line(&replaced, green), replaced);
    assert_eq!(replaced.matches("Production smoke seal:").count(), 1);
    assert_eq!(apply_verdict_line("", ""), "");
}

#[tokio::test]
async fn the_notes_message_is_edited_through_the_webhook() {
    let mock = MockDiscord::start().await.unwrap();
    let notes_id = mock.insert_message("## rc-42\n- Fix the board");
    let mut env = Env::new();
    env.with_discord(&mock)
        .set("DISCORD_RELEASE_NOTES_THREAD_ID", "4242");
    env.overrides.notes_message_id = Some(notes_id.clone());
    env.overrides.release_slug = Some("rc-42".to_string());
    let cfg = env.config();

    let outcome = seal_run(&red(), &cfg).await.unwrap();
    assert!(
        matches!(
            outcome.sink(Sink::Notes),
            Some(SinkOutcome::Delivered { .. })
        ),
        "{outcome}"
    );
    let content = mock.message(&notes_id).unwrap()["content"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        content,
        format!("## rc-42\n- Fix the board\n\n{}", outcome.verdict_line)
    );

    // GET then PATCH, both into the thread, with mentions disabled.
    let notes_requests: Vec<_> = mock
        .requests()
        .into_iter()
        .filter(|r| r.message_id.as_deref() == Some(notes_id.as_str()))
        .collect();
    let methods: Vec<&str> = notes_requests.iter().map(|r| r.method.as_str()).collect();
    assert_eq!(methods, ["GET", "PATCH"]);
    assert!(
        notes_requests
            .iter()
            .all(|r| r.query.get("thread_id").map(String::as_str) == Some("4242"))
    );
    assert_eq!(
        notes_requests[1].json.as_ref().unwrap()["allowed_mentions"]["parse"],
        serde_json::json!([])
    );

    // Green re-run: the red line is replaced, not duplicated.
    let outcome = seal_run(&green(), &cfg).await.unwrap();
    let content = mock.message(&notes_id).unwrap()["content"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        content,
        format!("## rc-42\n- Fix the board\n\n{}", outcome.verdict_line)
    );
    assert_eq!(content.matches("Production smoke seal:").count(), 1);

    // Same line again: read, nothing to change, no PATCH.
    mock.clear_requests();
    let edit = update_release_notes(&cfg, &notes_id, &outcome.verdict_line)
        .await
        .unwrap();
    assert_eq!(edit, NotesEdit::Unchanged);
    assert!(mock.requests().iter().all(|r| r.method == "GET"));
}

#[tokio::test]
async fn a_missing_notes_message_is_left_pending() {
    let mock = MockDiscord::start().await.unwrap();
    let mut env = Env::new();
    env.with_discord(&mock);
    env.overrides.notes_message_id = Some("1399999999999999999".to_string());
    let outcome = seal_run(&green(), &env.config()).await.unwrap();
    match outcome.sink(Sink::Notes) {
        Some(SinkOutcome::Pending { attempts, error }) => {
            assert_eq!(*attempts, 1);
            assert!(error.contains("404"), "{error}");
        }
        other => panic!("{other:?}"),
    }
    // The seal message itself still went out.
    assert!(matches!(
        outcome.sink(Sink::Discord),
        Some(SinkOutcome::Delivered { .. })
    ));
}
