//! The GitHub Action outside GitHub: action.yml's shape, and its scripts run
//! with the environment a runner gives a composite step (GITHUB_ACTION_PATH,
//! RUNNER_TEMP, GITHUB_OUTPUT, GITHUB_PATH, GITHUB_STEP_SUMMARY and the
//! INPUT_* variables action.yml passes through `env:`).
//!
//! actionlint checks workflows, not action metadata, so the structure test
//! here is what keeps action.yml honest.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use prod_smoke_fixture_site::Fault;
use serde_yaml::Value;

use crate::install::{ARCHIVE, FileServer, chromium, dist_dir, workspace};
use crate::support::{BIN, site};

fn action() -> Value {
    let text = std::fs::read_to_string(workspace().join("action.yml")).expect("action.yml");
    serde_yaml::from_str(&text).expect("action.yml is YAML")
}

fn steps(action: &Value) -> Vec<Value> {
    action["runs"]["steps"]
        .as_sequence()
        .expect("runs.steps")
        .clone()
}

fn step<'a>(steps: &'a [Value], id: &str) -> &'a Value {
    steps
        .iter()
        .find(|s| s["id"].as_str() == Some(id))
        .unwrap_or_else(|| panic!("no step with id {id}"))
}

#[test]
fn action_yml_is_a_composite_action_with_the_documented_interface() {
    let action = action();
    assert_eq!(action["runs"]["using"].as_str(), Some("composite"));
    for key in ["name", "description"] {
        assert!(action[key].as_str().is_some_and(|s| !s.is_empty()), "{key}");
    }
    let inputs = action["inputs"].as_mapping().expect("inputs");
    for input in ["app", "url", "release", "sha", "notes-message-id"] {
        let spec = &inputs[input];
        assert!(
            spec["description"].as_str().is_some(),
            "input {input} has a description"
        );
        assert_ne!(
            spec["required"].as_bool(),
            Some(true),
            "input {input} is optional"
        );
    }
    assert_eq!(inputs["app"]["default"].as_str(), Some("mcritchie-studio"));

    let steps = steps(&action);
    let ids: Vec<&str> = steps.iter().filter_map(|s| s["id"].as_str()).collect();
    for (output, from) in [("verdict", "verdict"), ("exit-code", "exit-code")] {
        assert_eq!(
            action["outputs"][output]["value"].as_str(),
            Some(format!("${{{{ steps.seal.outputs.{from} }}}}").as_str()),
            "output {output}"
        );
    }
    assert!(ids.contains(&"seal"));

    let scripts = workspace().join("scripts");
    let mut passed_env: Vec<String> = Vec::new();
    for s in &steps {
        let name = s["name"].as_str().expect("every step is named");
        // An expression in an `if:` or `with:` must only name steps that exist.
        let text = serde_yaml::to_string(s).unwrap();
        for id in referenced_steps(&text) {
            assert!(
                ids.contains(&id.as_str()),
                "step {name} refers to unknown step {id}"
            );
        }
        if let Some(run) = s["run"].as_str() {
            assert_eq!(
                s["shell"].as_str(),
                Some("bash"),
                "composite run steps need a shell: {name}"
            );
            assert!(
                !run.contains("${{"),
                "step {name} splices an expression into shell"
            );
            let script = run
                .trim()
                .trim_matches('"')
                .strip_prefix("$GITHUB_ACTION_PATH/")
                .unwrap_or_else(|| {
                    panic!("step {name} runs a script from scripts/, not inline shell: {run}")
                });
            let path = workspace().join(script);
            assert!(path.starts_with(&scripts), "{name}: {script}");
            let mode = std::os::unix::fs::PermissionsExt::mode(
                &std::fs::metadata(&path).unwrap().permissions(),
            );
            assert!(mode & 0o111 != 0, "{script} is executable");
            if let Some(env) = s["env"].as_mapping() {
                passed_env.extend(env.keys().filter_map(|k| k.as_str().map(str::to_string)));
            }
        } else {
            let uses = s["uses"]
                .as_str()
                .unwrap_or_else(|| panic!("step {name} has run or uses"));
            assert!(
                uses.rsplit_once('@')
                    .is_some_and(|(_, v)| v.starts_with('v')),
                "{uses} is pinned to a major version"
            );
        }
    }

    // Every INPUT_* a script reads is passed by some step.
    for entry in std::fs::read_dir(&scripts).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for var in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
            if var.starts_with("INPUT_") && var.len() > "INPUT_".len() {
                assert!(
                    passed_env.iter().any(|p| p == var),
                    "{var} is read but action.yml never sets it"
                );
            }
        }
    }
    // Every declared input reaches a script.
    for input in inputs.keys().filter_map(Value::as_str) {
        let var = format!("INPUT_{}", input.to_uppercase().replace('-', "_"));
        assert!(
            passed_env.contains(&var),
            "input {input} never reaches a script ({var})"
        );
    }

    // Artifacts and ledger are uploaded whatever the verdict.
    let upload = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/upload-artifact@"))
        })
        .expect("an upload step");
    assert_eq!(upload["if"].as_str(), Some("always()"));
    let paths = upload["with"]["path"].as_str().unwrap();
    assert!(
        paths.contains("prod-smoke-artifacts") && paths.contains("prod-smoke-ledger.sqlite3"),
        "{paths}"
    );
    assert_eq!(
        step(&steps, "seal")["env"]["PROD_SMOKE"].as_str(),
        Some("${{ steps.install.outputs.path }}")
    );
}

/// `steps.<id>.` references in a chunk of YAML.
fn referenced_steps(text: &str) -> Vec<String> {
    text.match_indices("steps.")
        .filter_map(|(i, _)| {
            let rest = &text[i + "steps.".len()..];
            let id: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect();
            (!id.is_empty() && rest[id.len()..].starts_with(".outputs")).then_some(id)
        })
        .collect()
}

/// A runner's per-step environment in a scratch folder.
struct Runner {
    scratch: tempfile::TempDir,
}

impl Runner {
    fn new() -> Runner {
        let r = Runner {
            scratch: tempfile::tempdir().unwrap(),
        };
        std::fs::create_dir(r.temp()).unwrap();
        for f in ["output", "path", "summary"] {
            std::fs::write(r.scratch.path().join(f), "").unwrap();
        }
        r
    }

    fn temp(&self) -> PathBuf {
        self.scratch.path().join("runner-temp")
    }

    fn step(&self, script: &str, env: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new("bash");
        cmd.arg(workspace().join("scripts").join(script))
            .current_dir(self.scratch.path())
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_ACTION_PATH", workspace())
            .env("GITHUB_OUTPUT", self.scratch.path().join("output"))
            .env("GITHUB_PATH", self.scratch.path().join("path"))
            .env("GITHUB_STEP_SUMMARY", self.scratch.path().join("summary"))
            .env("GITHUB_RUN_ATTEMPT", "1")
            .env("RUNNER_TEMP", self.temp())
            .env("TMPDIR", self.scratch.path())
            .env("HOME", self.scratch.path())
            .env("SEAL_RETRY_DELAY_SECONDS", "0");
        // Every variable the seal reads, and where the installer downloads from.
        let seal_vars = prod_smoke_seal::ENV_VARS.iter().map(|var| var.name);
        for k in seal_vars.chain(["PROD_SMOKE_DOWNLOAD_BASE"]) {
            cmd.env_remove(k);
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    }

    /// `name=value` lines written to GITHUB_OUTPUT so far.
    fn outputs(&self) -> BTreeMap<String, String> {
        std::fs::read_to_string(self.scratch.path().join("output"))
            .unwrap()
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.scratch.path().join(name)).unwrap()
    }
}

fn show(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn workspace_version() -> String {
    format!("v{}", env!("CARGO_PKG_VERSION"))
}

#[test]
fn install_step_fetches_the_release_of_the_actions_own_version() {
    let server = FileServer::serve(dist_dir());
    let runner = Runner::new();
    let out = runner.step(
        "action-install.sh",
        &[
            ("GITHUB_SERVER_URL", &server.base),
            ("ACTION_REPOSITORY", "acme/prod-smoke"),
            ("INPUT_VERSION", ""),
            ("INPUT_REPOSITORY", ""),
        ],
    );
    assert!(out.status.success(), "{}", show(&out));
    let version = workspace_version();
    assert_eq!(
        server.requests.lock().unwrap().first().map(String::as_str),
        Some(format!("/acme/prod-smoke/releases/download/{version}/{ARCHIVE}").as_str())
    );
    let outputs = runner.outputs();
    let bin_dir = runner.temp().join("prod-smoke/bin");
    assert_eq!(
        outputs["path"],
        bin_dir.join("prod-smoke").display().to_string()
    );
    assert_eq!(outputs["version"], version);
    assert_eq!(runner.read("path").trim(), bin_dir.display().to_string());
    let v = Command::new(bin_dir.join("prod-smoke"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&v.stdout).starts_with("prod-smoke "),
        "{}",
        show(&v)
    );
}

#[test]
fn install_step_takes_the_version_and_repository_inputs() {
    let server = FileServer::serve(dist_dir());
    let runner = Runner::new();
    let out = runner.step(
        "action-install.sh",
        &[
            ("GITHUB_SERVER_URL", &server.base),
            ("ACTION_REPOSITORY", "acme/prod-smoke"),
            ("INPUT_VERSION", "9.8.7"),
            ("INPUT_REPOSITORY", "fork/prod-smoke"),
        ],
    );
    // The fake server has the archive whatever the version: only the URL matters here.
    assert!(out.status.success(), "{}", show(&out));
    assert_eq!(
        server.requests.lock().unwrap().first().map(String::as_str),
        Some(format!("/fork/prod-smoke/releases/download/v9.8.7/{ARCHIVE}").as_str())
    );
}

#[test]
fn install_step_without_a_repository_says_which_input_to_set() {
    let runner = Runner::new();
    let out = runner.step(
        "action-install.sh",
        &[("ACTION_REPOSITORY", ""), ("INPUT_REPOSITORY", "")],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        show(&out).contains("::error title=prod-smoke::cannot tell which repository"),
        "{}",
        show(&out)
    );
}

#[test]
fn chromium_step_reports_the_real_browser() {
    let runner = Runner::new();
    let out = runner.step("action-chromium.sh", &[]);
    assert!(out.status.success(), "{}", show(&out));
    assert_eq!(runner.outputs()["path"], chromium().display().to_string());
}

#[tokio::test]
async fn seal_step_green_sets_outputs_and_keeps_the_ledger_for_upload() {
    let fixture = site(&[]).await;
    let url = fixture.base_url();
    let browser = chromium();
    let runner = tokio::task::spawn_blocking(move || {
        let runner = Runner::new();
        let out = runner.step(
            "action-seal.sh",
            &[
                ("INPUT_APP", "mcritchie-studio"),
                ("INPUT_URL", &url),
                ("INPUT_RELEASE", ""),
                ("INPUT_SHA", ""),
                ("INPUT_NOTES_MESSAGE_ID", ""),
                ("INPUT_ATTEST", "true"),
                ("PROD_SMOKE", BIN),
                ("CHROMIUM", browser.to_str().unwrap()),
            ],
        );
        (runner, out)
    });
    let (runner, out) = runner.await.unwrap();
    let report = show(&out);
    assert_eq!(out.status.code(), Some(0), "{report}");
    let outputs = runner.outputs();
    assert_eq!(outputs["verdict"], "green", "{report}");
    assert_eq!(outputs["exit-code"], "0");
    assert_eq!(outputs["artifact-name"], "prod-smoke-mcritchie-studio-1");
    assert!(
        report.contains("::notice title=prod-smoke mcritchie-studio::🟢 seal green"),
        "{report}"
    );
    // The two paths the upload step names.
    assert!(
        runner
            .temp()
            .join("prod-smoke-artifacts/results.json")
            .is_file(),
        "{report}"
    );
    assert!(
        runner.temp().join("prod-smoke-ledger.sqlite3").is_file(),
        "{report}"
    );
    assert!(
        !runner.read("summary").trim().is_empty(),
        "prod-smoke wrote the step summary"
    );
    // `attest: true`: the paths actions/attest is given, and the predicate
    // alone, outside the artifacts folder so the manifest still checks.
    let outputs = runner.outputs();
    let artifacts = runner.temp().join("prod-smoke-artifacts");
    assert_eq!(
        outputs["manifest"],
        artifacts.join("sha256_manifest.txt").display().to_string()
    );
    let statement: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&outputs["statement"]).unwrap()).unwrap();
    let predicate: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&outputs["predicate"]).unwrap()).unwrap();
    assert!(!outputs["predicate"].starts_with(&artifacts.display().to_string()));
    assert_eq!(predicate, statement["predicate"]);
    assert_eq!(predicate["result"], "PASSED");
    prod_smoke_report::verify_manifest(&artifacts).expect("the manifest still checks");
}

#[tokio::test]
async fn seal_step_red_fails_the_step_with_verdict_red() {
    let fixture = site(&[Fault::Up503]).await;
    let url = fixture.base_url();
    let browser = chromium();
    let (runner, out) = tokio::task::spawn_blocking(move || {
        let runner = Runner::new();
        let out = runner.step(
            "action-seal.sh",
            &[
                ("INPUT_APP", "mcritchie-studio"),
                ("INPUT_URL", &url),
                ("INPUT_SHA", "0123456789abcdef0123456789abcdef01234567"),
                ("PROD_SMOKE", BIN),
                ("CHROMIUM", browser.to_str().unwrap()),
            ],
        );
        (runner, out)
    })
    .await
    .unwrap();
    let report = show(&out);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert_eq!(runner.outputs()["verdict"], "red", "{report}");
    assert_eq!(runner.outputs()["exit-code"], "1");
    assert!(
        report.contains("::error title=prod-smoke mcritchie-studio::🔴 seal RED"),
        "{report}"
    );
}

#[test]
fn seal_step_bad_input_names_it_in_the_summary() {
    let runner = Runner::new();
    let out = runner.step(
        "action-seal.sh",
        &[("INPUT_APP", "Not An App!"), ("PROD_SMOKE", BIN)],
    );
    let report = show(&out);
    assert_eq!(out.status.code(), Some(2), "{report}");
    assert_eq!(runner.outputs()["verdict"], "bad-input");
    // The label is safe inside a workflow command and an artifact name.
    assert_eq!(
        runner.outputs()["artifact-name"],
        "prod-smoke-Not-An-App--1"
    );
    assert!(
        runner
            .read("summary")
            .contains("bad input (exit 2), nothing ran")
    );
}

#[test]
fn seal_step_reports_a_missing_binary_as_crashed() {
    let runner = Runner::new();
    let missing = Path::new("/nonexistent/prod-smoke");
    let out = runner.step(
        "action-seal.sh",
        &[
            ("INPUT_APP", "mcritchie-studio"),
            ("PROD_SMOKE", missing.to_str().unwrap()),
        ],
    );
    assert_eq!(out.status.code(), Some(127), "{}", show(&out));
    assert_eq!(runner.outputs()["verdict"], "crashed");
}

#[test]
fn the_attest_input_signs_the_manifest_with_the_test_result_predicate() {
    let action = action();
    let input = &action["inputs"]["attest"];
    assert_eq!(input["default"].as_str(), Some("false"), "opt-in");
    let about = input["description"].as_str().unwrap();
    for permission in ["id-token: write", "attestations: write"] {
        assert!(about.contains(permission), "{about}");
    }
    let steps = steps(&action);
    let attest = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/attest@"))
        })
        .expect("a step runs actions/attest");
    let condition = attest["if"].as_str().unwrap();
    for part in [
        "always()",
        "inputs.attest == 'true'",
        "steps.seal.outputs.predicate != ''",
    ] {
        assert!(condition.contains(part), "{condition}");
    }
    let with = &attest["with"];
    assert_eq!(
        with["subject-path"].as_str(),
        Some("${{ steps.seal.outputs.manifest }}")
    );
    assert_eq!(
        with["predicate-type"].as_str(),
        Some(prod_smoke_report::TEST_RESULT_PREDICATE)
    );
    assert_eq!(
        with["predicate-path"].as_str(),
        Some("${{ steps.seal.outputs.predicate }}")
    );
    // After the seal, before the upload.
    let names: Vec<&str> = steps.iter().filter_map(|s| s["name"].as_str()).collect();
    let at = |n: &str| names.iter().position(|x| x.starts_with(n)).unwrap();
    assert!(at("Seal") < at("Attest") && at("Attest") < at("Upload"));
}

/// The seal's deployment status is itself a `deployment_status` event.
/// The workflow cannot start itself from it: the token it posts with is
/// the job's own GITHUB_TOKEN (whose events start no workflow run), and the
/// job's `if` skips anything that is not a successful production deploy and
/// any status carrying the seal's marker, so even a personal token could
/// not loop it.
#[test]
fn the_post_ship_workflow_cannot_seal_its_own_deployment_status() {
    let text = std::fs::read_to_string(workspace().join(".github/workflows/post-ship-smoke.yml"))
        .expect("the post-ship workflow");
    let workflow: Value = serde_yaml::from_str(&text).unwrap();
    assert!(
        workflow["on"]["deployment_status"].is_null()
            && workflow["on"]
                .as_mapping()
                .unwrap()
                .contains_key("deployment_status"),
        "triggered by deployment_status"
    );
    let job = &workflow["jobs"]["seal"];
    let condition: String = job["if"]
        .as_str()
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for part in [
        "github.event_name != 'deployment_status'".to_string(),
        "github.event.deployment_status.state == 'success'".to_string(),
        "github.event.deployment.environment == 'production'".to_string(),
        format!(
            "!startsWith(github.event.deployment_status.description, '{}')",
            prod_smoke_seal::GITHUB_DEPLOYMENT_STATUS_MARKER
        ),
    ] {
        assert!(condition.contains(&part), "`{part}` in {condition}");
    }
    let permissions = &job["permissions"];
    assert_eq!(permissions["statuses"].as_str(), Some("write"));
    assert_eq!(permissions["deployments"].as_str(), Some("write"));
    // Every step that hands prod-smoke a token hands it the job's own.
    let mut tokens = 0;
    for step in job["steps"].as_sequence().unwrap() {
        if let Some(token) = step["env"]["GITHUB_TOKEN"].as_str() {
            assert_eq!(token, "${{ github.token }}", "not a personal token");
            tokens += 1;
        }
    }
    assert_eq!(tokens, 1, "the seal step gets the token");
}
