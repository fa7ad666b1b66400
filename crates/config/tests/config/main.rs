//! URL resolution order and every bad-input path.

use std::path::Path;

use prod_smoke_config::{ConfigError, UrlSource, check_url, resolve};

mod input_limits;
mod mutations;

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("write config");
}

const REPOS: &str = "apps:\n  mcritchie-studio:\n    ladder: [rspec]\n    test_cmd: bin/rspec\n    prod_deploy:\n      strategy: github_actions\n      workflow: deploy.yml\n      smoke_url: https://repos.example\n  other-app:\n    prod_deploy:\n      strategy: git_push_heroku\n      smoke_url: \"  \"\n";
const ENVS: &str = "qa_environments:\n  mcritchie-studio:\n    heroku_app: mcritchie-qa\n    production_app: mcritchie-prod\n    production_url: https://envs.example\n    qa_url: https://qa.example\n  other-app:\n    production_app: other-prod\n    production_url: https://other.example\n";

#[test]
fn resolution_order_flag_then_repos_then_envs_then_default() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "release_repos.yml", REPOS);
    write(dir.path(), "qa_environments.yml", ENVS);

    let t = resolve(
        "mcritchie-studio",
        Some("http://127.0.0.1:9"),
        dir.path(),
        true,
    )
    .unwrap();
    assert_eq!(
        (t.url.as_str(), t.source),
        ("http://127.0.0.1:9", UrlSource::Flag)
    );

    let t = resolve("mcritchie-studio", None, dir.path(), true).unwrap();
    assert_eq!(
        (t.url.as_str(), t.source),
        ("https://repos.example", UrlSource::ReleaseRepos)
    );
    assert_eq!(t.production_app.as_deref(), Some("mcritchie-prod"));

    // A blank smoke_url is skipped.
    let t = resolve("other-app", Some("   "), dir.path(), true).unwrap();
    assert_eq!(
        (t.url.as_str(), t.source),
        ("https://other.example", UrlSource::QaEnvironments)
    );

    write(dir.path(), "release_repos.yml", "apps: {}\n");
    write(
        dir.path(),
        "qa_environments.yml",
        "qa_environments:\n  mcritchie-studio:\n    production_url: ''\n",
    );
    let t = resolve("mcritchie-studio", None, dir.path(), true).unwrap();
    assert_eq!(
        (t.url.as_str(), t.source),
        ("https://mcritchie.studio", UrlSource::BuiltInDefault)
    );
}

#[test]
fn unknown_app_lists_the_known_ones() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "release_repos.yml", REPOS);
    write(dir.path(), "qa_environments.yml", ENVS);
    let e = resolve("mcritchie-studo", None, dir.path(), true).unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, ConfigError::UnknownApp { .. }));
    assert!(
        msg.contains("known apps: mcritchie-studio, other-app"),
        "{msg}"
    );
    assert!(msg.contains("did you mean `mcritchie-studio`?"), "{msg}");
}

#[test]
fn missing_config_is_an_error_unless_falling_back_for_the_default_app() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    let e = resolve("mcritchie-studio", None, &missing, true).unwrap_err();
    assert!(matches!(e, ConfigError::MissingConfig { .. }), "{e}");
    assert!(e.to_string().contains("--config-dir"), "{e}");
    // The implicit ./config may be absent: the default app still has a URL.
    let t = resolve("mcritchie-studio", None, &missing, false).unwrap();
    assert_eq!(t.source, UrlSource::BuiltInDefault);
    let e = resolve("other-app", None, &missing, false).unwrap_err();
    assert!(matches!(e, ConfigError::MissingConfig { .. }), "{e}");
}

#[test]
fn malformed_config_points_at_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "release_repos.yml", "apps:\n  a: [\n");
    let e = resolve("a", None, dir.path(), true).unwrap_err();
    let ConfigError::Malformed { line, .. } = &e else {
        panic!("expected Malformed, got {e}");
    };
    assert!(*line >= 2, "{e}");
    assert!(e.to_string().contains("release_repos.yml:"), "{e}");
}

#[test]
fn bad_app_names_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    for app in ["", "../etc", "App Name", "a;rm -rf"] {
        let e = resolve(app, Some("https://x.example"), dir.path(), false).unwrap_err();
        assert!(matches!(e, ConfigError::BadAppName { .. }), "{app}: {e}");
    }
}

#[test]
fn url_checks() {
    assert_eq!(
        check_url("https://mcritchie.studio/", false).unwrap(),
        "https://mcritchie.studio"
    );
    assert!(check_url("http://127.0.0.1:4010", false).is_ok());
    assert!(check_url("http://localhost:4010", false).is_ok());
    assert!(check_url("http://[::1]:4010", false).is_ok());
    let e = check_url("http://mcritchie.studio", false)
        .unwrap_err()
        .to_string();
    assert!(e.contains("--allow-http"), "{e}");
    assert!(check_url("http://mcritchie.studio", true).is_ok());
    for bad in [
        "mcritchie.studio",
        "ftp://x.example",
        "https://",
        "https://u:p@x.example",
        "javascript:alert(1)",
    ] {
        assert!(check_url(bad, false).is_err(), "{bad}");
    }
}

mod properties {
    use proptest::prelude::*;

    use super::write;
    use prod_smoke_config::resolve;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Whatever the hub's files hold, resolution returns an answer or
        /// an error; it never panics.
        #[test]
        fn arbitrary_config_files_never_panic(repos in ".{0,300}", envs in ".{0,300}", app in "[a-z-]{1,20}") {
            let dir = tempfile::tempdir().unwrap();
            write(dir.path(), "release_repos.yml", &repos);
            write(dir.path(), "qa_environments.yml", &envs);
            let _ = resolve(&app, None, dir.path(), true);
        }

        /// Structured but wrongly shaped YAML fails with a located error.
        #[test]
        fn wrong_shapes_fail_cleanly(depth in 1usize..200, scalar in "[a-z0-9 ]{0,20}") {
            let dir = tempfile::tempdir().unwrap();
            let nested = format!("apps: {}{scalar}{}\n", "[".repeat(depth), "]".repeat(depth));
            write(dir.path(), "release_repos.yml", &nested);
            let _ = resolve("mcritchie-studio", None, dir.path(), true);
        }
    }

    #[test]
    fn yaml_bomb_in_config_fails_fast() {
        let dir = tempfile::tempdir().unwrap();
        let bomb = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fixtures/bad-specs/yaml-bomb.yaml"
        ))
        .unwrap()
        .replace("scenarios: *i", "apps: *i");
        write(dir.path(), "release_repos.yml", &bomb);
        let started = std::time::Instant::now();
        let e = resolve("mcritchie-studio", None, dir.path(), true).unwrap_err();
        assert!(started.elapsed().as_secs() < 5);
        assert!(e.to_string().contains("release_repos.yml"), "{e}");
    }
}

#[test]
fn an_app_not_in_config_gets_no_guessed_names() {
    let dir = tempfile::tempdir().unwrap();
    let t = resolve(
        "turf-monster",
        Some("https://turf.example"),
        dir.path(),
        false,
    )
    .unwrap();
    assert_eq!(t.production_app, None, "never the slug");
    assert_eq!(t.repo, None, "never the slug");
    assert_eq!(
        t.production_app_key(),
        "set qa_environments.turf-monster.production_app in config/qa_environments.yml"
    );
    assert_eq!(
        t.repo_key(),
        "set apps.turf-monster.repo in config/release_repos.yml or pass --repo"
    );
}

#[test]
fn the_deploy_strategy_and_its_settings_are_read_for_the_rollback_block() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "release_repos.yml", REPOS);
    write(dir.path(), "qa_environments.yml", ENVS);
    let t = resolve("mcritchie-studio", None, dir.path(), true).unwrap();
    assert_eq!(t.deploy.strategy.as_deref(), Some("github_actions"));
    assert_eq!(t.deploy.workflow.as_deref(), Some("deploy.yml"));
    assert_eq!(t.deploy.branch, None);

    write(
        dir.path(),
        "release_repos.yml",
        "apps:\n  fly-app:\n    prod_deploy:\n      strategy: fly\n      smoke_url: https://fly.example\n  scripted:\n    prod_deploy:\n      strategy: repo_script\n      branch: ' '\n      rollback_script: bin/rollback\n      smoke_url: https://s.example\n",
    );
    write(
        dir.path(),
        "qa_environments.yml",
        "qa_environments:\n  fly-app:\n    production_app: fly-prod\n",
    );
    let t = resolve("fly-app", None, dir.path(), true).unwrap();
    assert_eq!(t.deploy.strategy.as_deref(), Some("fly"));
    assert_eq!(t.production_app.as_deref(), Some("fly-prod"));
    let t = resolve("scripted", None, dir.path(), true).unwrap();
    assert_eq!(t.deploy.rollback_script.as_deref(), Some("bin/rollback"));
    assert_eq!(t.deploy.branch, None, "blank is unset");
}
