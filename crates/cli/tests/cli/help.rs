//! `prod-smoke --help`, as an operator reads it.

use crate::support::Smoke;

/// `--help` names what turns each sink on: every variable a sink reads
/// for itself (but the ones only tests set), under the seal's headings.
#[tokio::test]
async fn help_names_every_sink_variable() {
    let mut s = Smoke::new();
    s.arg("--help");
    let f = s.run().await;
    assert_eq!(f.code, 0, "{f}");
    let help = &f.stdout;
    let vars: Vec<&str> = prod_smoke_seal::Sink::ALL
        .iter()
        .flat_map(|sink| sink.help_vars())
        .map(|var| var.name)
        .collect();
    for var in [
        "DATABASE_URL",
        "DISCORD_RELEASE_NOTES_WEBHOOK_URL",
        "DISCORD_DEPLOY_WEBHOOK_URL",
        "DISCORD_RELEASE_NOTES_THREAD_ID",
    ] {
        assert!(vars.contains(&var), "no sink declares {var}: {vars:?}");
    }
    for var in vars {
        assert!(help.contains(var), "--help does not name {var}:\n{help}");
    }
    use prod_smoke_engine::headings::*;
    for heading in [TARGET, OUTPUT, RUN, BROWSER, SAFETY, SEAL, "Global options"] {
        assert!(help.contains(heading), "no `{heading}` heading:\n{help}");
    }
}
