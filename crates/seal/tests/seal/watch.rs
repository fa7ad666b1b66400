//! A watch's passes in the seal, against a real Postgres, the Discord mock
//! and the signed-webhook receiver: quiet passes reach only the ledger, and
//! each confirmed change is delivered everywhere once.

use prod_smoke_model::Verdict;
use prod_smoke_seal::{
    Ledger, PassRecord, Sink, SinkOutcome, WatchPass, deliver_pending, format_history, history,
    seal_pass,
};
use prod_smoke_testkit::{MockDiscord, MockWebhook};

use crate::support::*;

const SECRET: &str = "whsec-watch-0123456789";
const OPERATOR: &str = "<@&424242>";

fn pass(watch_id: &str, n: u32, record: PassRecord) -> WatchPass {
    WatchPass {
        watch_id: watch_id.to_string(),
        pass: n,
        record,
    }
}

fn amend(after: &str) -> PassRecord {
    PassRecord::Amend {
        after_ship: after.to_string(),
    }
}

#[tokio::test]
async fn a_regression_and_a_recovery_amend_the_seal_once_each() {
    let db = hub_db().await;
    insert_release(db.url(), "rc-7", "assembled", None, Some("abc1234")).await;
    let discord = MockDiscord::start().await.unwrap();
    let receiver = MockWebhook::start(SECRET).await.unwrap();
    let mut env = Env::new();
    env.with_discord(&discord)
        .with_database(db.url())
        .set("DISCORD_OPERATOR_MENTION", OPERATOR)
        .set("PROD_SMOKE_WEBHOOK_URL", &receiver.url())
        .set("PROD_SMOKE_WEBHOOK_SECRET", SECRET);
    let cfg = env.config();

    let first = green();
    let watch_id = first.run_id.clone();
    // Pass 1: the normal seal. Pass 2: green again, kept quietly.
    let sealed = seal_pass(&first, &cfg, pass(&watch_id, 1, PassRecord::Seal))
        .await
        .unwrap();
    assert!(!sealed.has_pending(), "{sealed}");
    let kept = seal_pass(&green(), &cfg, pass(&watch_id, 2, PassRecord::Keep))
        .await
        .unwrap();
    assert!(
        kept.sinks.is_empty(),
        "a kept pass is delivered nowhere: {kept}"
    );
    // Pass 3 red but not confirmed: kept. Pass 4 red: the regression.
    seal_pass(&red(), &cfg, pass(&watch_id, 3, PassRecord::Keep))
        .await
        .unwrap();
    let regressed = seal_pass(&red(), &cfg, pass(&watch_id, 4, amend("12 min after ship")))
        .await
        .unwrap();
    assert!(!regressed.has_pending(), "{regressed}");
    assert!(
        matches!(regressed.sink(Sink::Discord), Some(SinkOutcome::Delivered { detail, .. }) if detail.starts_with("posted message")),
        "a new message, never an edit: {regressed}"
    );
    let seal = smoke_seal(db.url(), "rc-7").await;
    assert_eq!(seal["status"], "red");
    assert_eq!(
        seal["summary"],
        "@qa-readonly FAILED vs mcritchie.studio — regressed 12 min after ship — GET /up \
         returned 503, expected 200"
    );
    assert_eq!(seal.as_object().unwrap().len(), 3);

    // Pass 5 red: kept. Pass 6 green, pass 7 green: the recovery.
    seal_pass(&red(), &cfg, pass(&watch_id, 5, PassRecord::Keep))
        .await
        .unwrap();
    seal_pass(&green(), &cfg, pass(&watch_id, 6, PassRecord::Keep))
        .await
        .unwrap();
    let recovery = green();
    let recovered = seal_pass(
        &recovery,
        &cfg,
        pass(&watch_id, 7, amend("18 min after ship")),
    )
    .await
    .unwrap();
    assert!(!recovered.has_pending(), "{recovered}");
    let seal = smoke_seal(db.url(), "rc-7").await;
    assert_eq!(seal["status"], "green");
    assert_eq!(
        seal["summary"],
        "@qa-readonly green vs mcritchie.studio — recovered 18 min after ship"
    );

    // Discord: three new messages (seal, regression, recovery), no edit;
    // only the red one pings, and it carries the rollback block.
    let posts = discord.delivered_posts();
    assert_eq!(posts.len(), 3, "{posts:#?}");
    assert!(discord.delivered_edits().is_empty());
    let contents: Vec<&str> = posts.iter().filter_map(|p| p.content()).collect();
    assert!(contents[0].starts_with("🟢 Production smoke seal: passed"));
    assert!(contents[1].starts_with(
        "🔴 Production smoke seal: FAILED — @qa-readonly FAILED vs mcritchie.studio — regressed \
         12 min after ship"
    ));
    assert!(contents[1].contains(OPERATOR), "{}", contents[1]);
    assert!(!contents[2].contains(OPERATOR));
    assert!(contents[2].contains("recovered 18 min after ship"));
    let red_embed = posts[1].json.as_ref().unwrap().to_string();
    assert!(red_embed.contains("heroku rollback --app mcritchie-studio-prod"));

    // Events: started and completed from the seal, one failed for the
    // regression, one completed for the recovery, each keyed once.
    let events = events(db.url()).await;
    let statuses: Vec<&str> = events.iter().map(|e| e.1.as_str()).collect();
    assert_eq!(statuses, ["started", "completed", "failed", "completed"]);
    assert_eq!(events[0].0, "rc-7:prod_smoke:started");
    assert_eq!(events[1].0, "rc-7:prod_smoke:completed");
    assert!(events[2].0.starts_with("rc-7:prod_smoke:failed:"));
    assert!(events[2].2.contains("regressed 12 min after ship"));
    assert_eq!(
        events[3].0,
        format!("rc-7:prod_smoke:completed:{}", recovery.run_id)
    );

    // The webhook: one signed delivery per change, each saying what it is.
    let hooks = receiver.requests();
    assert_eq!(hooks.len(), 3);
    assert!(hooks.iter().all(|h| h.signature_valid));
    let bodies: Vec<&serde_json::Value> = hooks.iter().filter_map(|h| h.json.as_ref()).collect();
    assert_eq!(bodies[0]["watch"]["record"], "seal");
    assert_eq!(bodies[1]["verdict"], "red");
    assert_eq!(bodies[1]["watch"]["record"], "amend");
    assert_eq!(bodies[1]["watch"]["after_ship"], "12 min after ship");
    assert_eq!(bodies[1]["watch"]["pass"], 4);
    assert!(bodies[1]["rollback"].is_string());
    assert_eq!(bodies[2]["verdict"], "green");

    // A replay has nothing left to send.
    let replay = deliver_pending(&cfg).await.unwrap();
    assert!(replay.deliveries.is_empty(), "{replay}");

    // History: one line per change, the quiet passes folded in.
    let entries = history(&cfg, Some("mcritchie-studio"), 20)
        .await
        .unwrap()
        .entries;
    assert_eq!(entries.len(), 3, "{}", format_history(&entries));
    let table = format_history(&entries);
    assert!(table.contains("green (watch passes 1–3)"), "{table}");
    assert!(table.contains("red (watch passes 4–6)"), "{table}");
    assert!(table.contains("green (watch pass 7)"), "{table}");
    // Every pass is in the ledger, the last green one for the baseline.
    let ledger = Ledger::open(&env.ledger_path(), &Default::default())
        .await
        .unwrap();
    assert_eq!(
        ledger.last_green("mcritchie-studio").await.unwrap(),
        Some(recovery.run_id.clone())
    );
    ledger.close().await;
}

#[tokio::test]
async fn an_amendment_left_pending_is_replayed_as_an_amendment() {
    let discord = MockDiscord::start().await.unwrap();
    let mut env = Env::new();
    env.with_discord(&discord)
        .set("DISCORD_OPERATOR_MENTION", OPERATOR);
    let cfg = env.config();
    let first = green();
    let watch_id = first.run_id.clone();
    seal_pass(&first, &cfg, pass(&watch_id, 1, PassRecord::Seal))
        .await
        .unwrap();
    discord.fail_next(10, 503);
    let regressed = seal_pass(&red(), &cfg, pass(&watch_id, 3, amend("9 s after ship")))
        .await
        .unwrap();
    assert!(regressed.has_pending(), "{regressed}");
    discord.clear_script();
    let replay = deliver_pending(&cfg).await.unwrap();
    assert_eq!(replay.delivered(), 1, "{replay}");
    let posts = discord.delivered_posts();
    assert_eq!(posts.len(), 2);
    let content = posts[1].content().unwrap();
    assert!(content.contains("regressed 9 s after ship"), "{content}");
    assert!(content.contains(OPERATOR), "{content}");
    assert!(discord.delivered_edits().is_empty());
    assert_eq!(Verdict::Red.as_str(), "red");
}
