//! `cargo xtask parity`: a differential test against Playwright itself.
//! Serves the edge-case pages of `parity/cases.rs`, runs the same
//! expectations through Playwright Test (pinned in `bench/`, on the
//! system Chromium) and through the prod-smoke binary, and fails on any
//! scenario whose verdict differs. Playwright is the oracle: no case
//! states an expected verdict of its own.

mod actions;
mod cases;
mod more_locators;
mod server;

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};
use serde_json::Value;

use cases::{Case, Loc, Step};

/// Tag of the generated scenarios in both tools.
const TAG: &str = "@parity";
/// Each expectation's budget, the same in both tools. Short, because half
/// the set fails on purpose and waits it out.
const EXPECT_TIMEOUT_MS: u64 = 2000;
/// Each navigation's budget in both tools.
const NAV_TIMEOUT_S: u64 = 10;

/// Is npm here? `cargo xtask test` runs parity only when it is.
pub fn npm_present() -> bool {
    Command::new("npm")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// How many edge-case pages the parity test compares.
pub fn case_count() -> usize {
    all_cases().len()
}

/// Every case: the checks' (cases.rs), more locators, and the actions.
fn all_cases() -> Vec<Case> {
    let mut all = cases::all();
    all.extend(more_locators::cases());
    all.extend(actions::cases());
    all
}

pub fn run(args: &[String]) -> Result<()> {
    let keep = args.iter().any(|a| a == "--keep");
    // `--only PREFIX`: the cases whose name starts with it, to iterate on a few.
    let only = args
        .iter()
        .position(|a| a == "--only")
        .map(|i| args.get(i + 1).cloned().unwrap_or_default());
    if let Some(other) = args.iter().enumerate().find_map(|(i, a)| {
        let value_of_only = i > 0 && args[i - 1] == "--only";
        (a != "--keep" && a != "--only" && !value_of_only).then_some(a)
    }) {
        crate::usage_error!(
            "parity: unknown argument `{other}` (it takes --keep and --only PREFIX)"
        );
    }
    let chromium = crate::chromium::ensure()?;
    if !npm_present() {
        bail!(
            "npm is not installed, and the Playwright side of the parity test needs it. \
             Install Node.js (e.g. `apt-get install -y nodejs npm`), then run this again."
        );
    }
    crate::bench::ensure_playwright()?;
    // The debug build: verdicts do not depend on the profile, and
    // `cargo xtask test` has just built it.
    crate::progress::run(
        crate::cargo().args(["build", "-p", "prod-smoke-cli"]),
        "building prod-smoke",
    )?;

    let mut cases = all_cases();
    if let Some(prefix) = &only {
        cases.retain(|c| c.name.starts_with(prefix.as_str()));
    }
    let mut routes = HashMap::new();
    for case in &cases {
        for (path, response) in &case.routes {
            if routes.insert(path.clone(), response.clone()).is_some() {
                bail!("two parity cases serve {path}");
            }
        }
    }
    let (url, states) = server::start(routes)?;
    let root = std::env::current_dir()?;
    let tmp = std::env::temp_dir().join(format!("prod-smoke-parity-{}", std::process::id()));
    std::fs::create_dir_all(&tmp)?;
    // Under bench/ so the spec resolves `@playwright/test`.
    let pw_dir = root
        .join("bench/generated")
        .join(format!("parity-{}", std::process::id()));
    std::fs::create_dir_all(&pw_dir)?;
    let yaml_path = tmp.join("parity.yaml");
    std::fs::write(&yaml_path, yaml(&cases))?;
    std::fs::write(pw_dir.join("parity.spec.ts"), typescript(&cases))?;
    eprintln!("parity: {} cases on {url}", cases.len());

    let result = (|| {
        // Both tools run quietly into their logs; say they are alive.
        let _watch = crate::progress::Watch::start("comparing verdicts with Playwright");
        let pw = playwright_verdicts(&root, &pw_dir, &url, &chromium, &tmp)?;
        let pw_states = std::mem::take(&mut *states.lock().expect("states"));
        let ps = prod_smoke_verdicts(&root, &yaml_path, &url, &chromium, &tmp)?;
        let ps_states = std::mem::take(&mut *states.lock().expect("states"));
        compare(&cases, &pw, &ps, &pw_states, &ps_states)
    })();
    let _ = std::fs::remove_dir_all(&pw_dir);
    if result.is_ok() && !keep {
        let _ = std::fs::remove_dir_all(&tmp);
    } else {
        eprintln!("kept {} (spec, results, logs)", tmp.display());
    }
    result
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Pass,
    Fail,
}

/// Compares verdicts, and for an action case both tools passed, the state
/// its page ended in (URL and DOM digest, as the page reported it).
fn compare(
    cases: &[Case],
    pw: &BTreeMap<String, Verdict>,
    ps: &BTreeMap<String, Verdict>,
    pw_states: &BTreeMap<String, String>,
    ps_states: &BTreeMap<String, String>,
) -> Result<()> {
    let mut equal = 0;
    let mut states = 0;
    let mut differ = Vec::new();
    for case in cases {
        let (a, b) = (pw.get(case.name), ps.get(case.name));
        let both_passed = a == Some(&Verdict::Pass) && b == Some(&Verdict::Pass);
        let (sa, sb) = (pw_states.get(case.name), ps_states.get(case.name));
        let state_differs = case.compares_state() && both_passed && (sa.is_none() || sa != sb);
        let mark = match (a, b) {
            (Some(a), Some(b)) if a == b && !state_differs => {
                equal += 1;
                "="
            }
            _ => {
                differ.push(case.name);
                "≠"
            }
        };
        let state = match (case.compares_state() && both_passed, state_differs) {
            (false, _) => String::new(),
            (true, false) => {
                states += 1;
                " same end state".to_string()
            }
            (true, true) => format!(
                " end state: playwright {} prod-smoke {}",
                sa.map_or("none", String::as_str),
                sb.map_or("none", String::as_str)
            ),
        };
        println!(
            "{mark} {:<40} playwright {:<5} prod-smoke {:<5} [{}]{state}",
            case.name,
            show(a),
            show(b),
            case.rule
        );
    }
    println!("{states} action cases ended in the same URL and DOM in both tools");
    let (pass, fail) = pw.values().fold((0, 0), |(p, f), v| match v {
        Verdict::Pass => (p + 1, f),
        Verdict::Fail => (p, f + 1),
    });
    println!(
        "{equal}/{} equal verdicts (Playwright: {pass} pass, {fail} fail)",
        cases.len()
    );
    if !differ.is_empty() {
        bail!("verdicts differ on: {}", differ.join(", "));
    }
    Ok(())
}

fn show(v: Option<&Verdict>) -> &'static str {
    match v {
        Some(Verdict::Pass) => "pass",
        Some(Verdict::Fail) => "fail",
        None => "none",
    }
}

/// A string as a double-quoted literal both YAML and TypeScript read.
fn q(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 || !c.is_ascii() => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn yaml(cases: &[Case]) -> String {
    let mut y = String::from("# Generated by `cargo xtask parity`.\nsuite: parity\nscenarios:\n");
    let t = format!("{EXPECT_TIMEOUT_MS}ms");
    for case in cases {
        let _ = writeln!(
            y,
            "  - name: {}\n    tags: [\"{TAG}\"]\n    steps:",
            q(case.name)
        );
        for step in &case.steps {
            let _ = match step {
                Step::Visit(p) => writeln!(y, "      - visit: {}", q(p)),
                Step::Text(sel, text) => writeln!(
                    y,
                    "      - text: {}\n        in: {}\n        timeout: {t}",
                    q(text),
                    q(sel)
                ),
                Step::Visible(sel) => {
                    writeln!(y, "      - visible: {}\n        timeout: {t}", q(sel))
                }
                Step::TitleRegex(src, flags) => writeln!(
                    y,
                    "      - title: {}\n        timeout: {t}",
                    q(&format!("/{src}/{flags}"))
                ),
                Step::TitleExact(s) => writeln!(y, "      - title: {}\n        timeout: {t}", q(s)),
                Step::Count(loc, n) => writeln!(
                    y,
                    "      - count: {}\n        equals: {n}\n        timeout: {t}",
                    loc_yaml(loc)
                ),
                Step::VisibleLoc(loc) => writeln!(
                    y,
                    "      - visible: {}\n        timeout: {t}",
                    loc_yaml(loc)
                ),
                Step::InViewport(loc) => writeln!(
                    y,
                    "      - in_viewport: {}\n        timeout: {t}",
                    loc_yaml(loc)
                ),
                Step::Url(src) => writeln!(
                    y,
                    "      - url: {}\n        timeout: {t}",
                    q(&format!("/{src}/"))
                ),
                Step::Click(loc) => {
                    writeln!(y, "      - click: {}\n        timeout: {t}", loc_yaml(loc))
                }
                Step::ClickTab(loc) => writeln!(
                    y,
                    "      - click: {}\n        opens: tab\n        timeout: {t}",
                    loc_yaml(loc)
                ),
                Step::Hover(loc) => {
                    writeln!(y, "      - hover: {}\n        timeout: {t}", loc_yaml(loc))
                }
                Step::Fill(loc, text) => writeln!(
                    y,
                    "      - fill: {}\n        with: {}\n        timeout: {t}",
                    loc_yaml(loc),
                    q(text)
                ),
                Step::Press(None, key) => writeln!(y, "      - press: {}", q(key)),
                Step::Press(Some(loc), key) => writeln!(
                    y,
                    "      - press: {}\n        in: {}\n        timeout: {t}",
                    q(key),
                    loc_yaml(loc)
                ),
                Step::Scroll(loc) => {
                    writeln!(y, "      - scroll: {}\n        timeout: {t}", loc_yaml(loc))
                }
                Step::Synced => writeln!(
                    y,
                    "      - visible: {}\n        timeout: {t}",
                    q(actions::SYNCED)
                ),
            };
        }
    }
    y
}

/// A locator as a spec's flow mapping: `{role: "link", name: "Docs"}`.
fn loc_yaml(l: &Loc) -> String {
    let mut parts = vec![format!("{}: {}", l.engine, q(l.value))];
    if let Some(n) = l.name {
        parts.push(format!("name: {}", q(n)));
    }
    if l.exact {
        parts.push("exact: true".into());
    }
    if let Some(t) = l.has_text {
        parts.push(format!("has_text: {}", q(t)));
    }
    if let Some(n) = l.nth {
        parts.push(format!("nth: {n}"));
    }
    if let Some(f) = l.frame {
        parts.push(format!("frame: {}", q(f)));
    }
    format!("{{{}}}", parts.join(", "))
}

/// A spec's text or `/regex/flags` as a TypeScript string or `RegExp`.
fn ts_text(s: &str) -> String {
    match s
        .strip_prefix('/')
        .and_then(|r| r.rfind('/').map(|e| (&r[..e], &r[e + 1..])))
    {
        Some((src, flags)) => format!("new RegExp({}, {})", q(src), q(flags)),
        None => q(s),
    }
}

/// The same locator as Playwright's call chain on `page`.
fn loc_ts(l: &Loc) -> String {
    let mut out = match l.frame {
        Some(f) => format!("page.frameLocator({})", q(f)),
        None => "page".to_string(),
    };
    let exact = if l.exact { ", exact: true" } else { "" };
    let _ = match l.engine {
        "role" => match l.name {
            Some(n) => write!(
                out,
                ".getByRole({}, {{ name: {}{exact} }})",
                q(l.value),
                ts_text(n)
            ),
            None => write!(out, ".getByRole({})", q(l.value)),
        },
        "css" => write!(out, ".locator({})", q(l.value)),
        "test_id" => write!(out, ".getByTestId({})", q(l.value)),
        engine => {
            let call = match engine {
                "text" => "getByText",
                "label" => "getByLabel",
                "placeholder" => "getByPlaceholder",
                "alt" => "getByAltText",
                _ => "getByTitle",
            };
            let opts = if l.exact { ", { exact: true }" } else { "" };
            write!(out, ".{call}({}{opts})", ts_text(l.value))
        }
    };
    if let Some(t) = l.has_text {
        let _ = write!(out, ".filter({{ hasText: {} }})", ts_text(t));
    }
    if let Some(n) = l.nth {
        let _ = write!(out, ".nth({n})");
    }
    out
}

fn typescript(cases: &[Case]) -> String {
    let mut ts = String::from(
        "// Generated by `cargo xtask parity`: one test per parity case.\n\
         import { test, expect } from '@playwright/test';\n",
    );
    let t = EXPECT_TIMEOUT_MS;
    let nav = NAV_TIMEOUT_S * 1000;
    for case in cases {
        let _ = writeln!(
            ts,
            "\ntest({}, {{ tag: '{TAG}' }}, async ({{ page: first }}) => {{\n  \
             // A click that opens a tab moves the test onto it.\n  \
             let page = first;",
            q(case.name)
        );
        for step in &case.steps {
            let _ = match step {
                Step::Visit(p) => writeln!(
                    ts,
                    "  expect((await page.goto({}, {{ timeout: {nav} }}))?.ok()).toBeTruthy();",
                    q(p)
                ),
                Step::Text(sel, text) => writeln!(
                    ts,
                    "  await expect(page.locator({})).toContainText({}, {{ timeout: {t} }});",
                    q(sel),
                    q(text)
                ),
                Step::Visible(sel) => writeln!(
                    ts,
                    "  await expect(page.locator({})).toBeVisible({{ timeout: {t} }});",
                    q(sel)
                ),
                Step::TitleRegex(src, flags) => writeln!(
                    ts,
                    "  await expect(page).toHaveTitle(new RegExp({}, {}), {{ timeout: {t} }});",
                    q(src),
                    q(flags)
                ),
                Step::TitleExact(s) => writeln!(
                    ts,
                    "  await expect(page).toHaveTitle({}, {{ timeout: {t} }});",
                    q(s)
                ),
                Step::Count(loc, n) => writeln!(
                    ts,
                    "  await expect({}).toHaveCount({n}, {{ timeout: {t} }});",
                    loc_ts(loc)
                ),
                Step::VisibleLoc(loc) => writeln!(
                    ts,
                    "  await expect({}).toBeVisible({{ timeout: {t} }});",
                    loc_ts(loc)
                ),
                Step::InViewport(loc) => writeln!(
                    ts,
                    "  await expect({}).toBeInViewport({{ timeout: {t} }});",
                    loc_ts(loc)
                ),
                Step::Url(src) => writeln!(
                    ts,
                    "  await expect(page).toHaveURL(new RegExp({}), {{ timeout: {t} }});",
                    q(src)
                ),
                Step::Click(loc) => {
                    writeln!(ts, "  await {}.click({{ timeout: {t} }});", loc_ts(loc))
                }
                Step::ClickTab(loc) => writeln!(
                    ts,
                    "  {{\n    const popup = page.waitForEvent('popup', {{ timeout: {nav} }});\n    \
                     await {}.click({{ timeout: {t} }});\n    page = await popup;\n    \
                     await page.waitForLoadState('load', {{ timeout: {nav} }});\n  }}",
                    loc_ts(loc)
                ),
                Step::Hover(loc) => {
                    writeln!(ts, "  await {}.hover({{ timeout: {t} }});", loc_ts(loc))
                }
                Step::Fill(loc, text) => writeln!(
                    ts,
                    "  await {}.fill({}, {{ timeout: {t} }});",
                    loc_ts(loc),
                    q(text)
                ),
                Step::Press(None, key) => {
                    writeln!(ts, "  await page.keyboard.press({});", q(key))
                }
                Step::Press(Some(loc), key) => writeln!(
                    ts,
                    "  await {}.press({}, {{ timeout: {t} }});",
                    loc_ts(loc),
                    q(key)
                ),
                Step::Scroll(loc) => writeln!(
                    ts,
                    "  await {}.scrollIntoViewIfNeeded({{ timeout: {t} }});",
                    loc_ts(loc)
                ),
                Step::Synced => writeln!(
                    ts,
                    "  await expect(page.locator({})).toBeVisible({{ timeout: {t} }});",
                    q(actions::SYNCED)
                ),
            };
        }
        ts.push_str("});\n");
    }
    ts
}

fn playwright_verdicts(
    root: &Path,
    pw_dir: &Path,
    url: &str,
    chromium: &Path,
    tmp: &Path,
) -> Result<BTreeMap<String, Verdict>> {
    let report = tmp.join("playwright.json");
    let log = tmp.join("playwright.log");
    eprintln!("parity: running Playwright Test…");
    let status = Command::new(root.join("bench/node_modules/.bin/playwright"))
        .args(["test", "--grep", TAG, "--reporter", "json", "--output"])
        .arg(tmp.join("test-results"))
        .current_dir(root.join("bench"))
        .env("QA_BASE_URL", url)
        .env("BENCH_CHROMIUM", chromium)
        .env("BENCH_TEST_DIR", pw_dir)
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
        .env("PLAYWRIGHT_JSON_OUTPUT_NAME", &report)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log)?)
        .status()
        .context("cannot start bench/node_modules/.bin/playwright")?;
    let text = std::fs::read_to_string(&report).with_context(|| {
        format!(
            "Playwright ({status}) wrote no JSON report; see {}",
            log.display()
        )
    })?;
    let doc: Value = serde_json::from_str(&text).context("Playwright's JSON report")?;
    let mut out = BTreeMap::new();
    collect_specs(&doc, &mut out);
    if let Some(errors) = doc["errors"].as_array().filter(|e| !e.is_empty()) {
        bail!("Playwright reported errors outside the tests: {errors:?}");
    }
    Ok(out)
}

/// Walks the JSON reporter's nested suites for each spec's outcome.
fn collect_specs(node: &Value, out: &mut BTreeMap<String, Verdict>) {
    for spec in node["specs"].as_array().into_iter().flatten() {
        if let (Some(title), Some(ok)) = (spec["title"].as_str(), spec["ok"].as_bool()) {
            out.insert(
                title.to_string(),
                if ok { Verdict::Pass } else { Verdict::Fail },
            );
        }
    }
    for suite in node["suites"].as_array().into_iter().flatten() {
        collect_specs(suite, out);
    }
}

fn prod_smoke_verdicts(
    root: &Path,
    yaml: &Path,
    url: &str,
    chromium: &Path,
    tmp: &Path,
) -> Result<BTreeMap<String, Verdict>> {
    let artifacts: PathBuf = tmp.join("artifacts");
    let log = tmp.join("prod-smoke.log");
    eprintln!("parity: running prod-smoke…");
    let mut cmd = Command::new(root.join("target/debug/prod-smoke"));
    cmd.args([
        "mcritchie-studio",
        "--url",
        url,
        "--retries",
        "0",
        "--workers",
        "2",
    ])
    .arg("--timeout")
    .arg(NAV_TIMEOUT_S.to_string())
    .arg("--spec")
    .arg(yaml)
    .args(["--grep", TAG])
    .arg("--artifacts")
    .arg(&artifacts)
    .arg("--ledger")
    .arg(tmp.join("ledger.sqlite3"))
    .arg("--chromium")
    .arg(chromium)
    .stdin(Stdio::null())
    .stdout(Stdio::null())
    .stderr(std::fs::File::create(&log)?);
    crate::sinks::keep_off_real_sinks(&mut cmd);
    let status = cmd
        .status()
        .context("cannot start target/debug/prod-smoke")?;
    let results = artifacts.join("results.json");
    let text = std::fs::read_to_string(&results).with_context(|| {
        format!(
            "prod-smoke ({status}) wrote no {}; see {}",
            results.display(),
            log.display()
        )
    })?;
    let doc: Value = serde_json::from_str(&text).context("prod-smoke's results.json")?;
    // A scenario fails on its first failed check; one that neither failed
    // nor fully passed (prod-smoke broke) has no verdict and so differs.
    let mut by_scenario: BTreeMap<String, (bool, bool)> = BTreeMap::new();
    for check in doc["checks"].as_array().into_iter().flatten() {
        let (Some(name), Some(status)) = (check["scenario"].as_str(), check["status"].as_str())
        else {
            continue;
        };
        let entry = by_scenario.entry(name.to_string()).or_insert((false, true));
        match status {
            "failed" => entry.0 = true,
            "passed" => {}
            _ => entry.1 = false,
        }
    }
    Ok(by_scenario
        .into_iter()
        .filter_map(|(name, (failed, all_passed))| {
            if failed {
                Some((name, Verdict::Fail))
            } else if all_passed {
                Some((name, Verdict::Pass))
            } else {
                None
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_set_is_large_enough_and_every_case_visits_first() {
        let cases = all_cases();
        assert!(cases.len() >= 40, "only {} cases", cases.len());
        let mut names = std::collections::HashSet::new();
        for c in &cases {
            assert!(names.insert(c.name), "{} twice", c.name);
            assert!(
                matches!(c.steps.first(), Some(Step::Visit(_))),
                "{}",
                c.name
            );
        }
    }

    #[test]
    fn every_generated_step_loads_as_a_spec() {
        let cases = all_cases();
        let locators = cases
            .iter()
            .filter(|c| c.rule.starts_with("locator-"))
            .count();
        assert!(locators >= 40, "only {locators} locator cases");
        if let Err(e) = prod_smoke_spec::Suite::parse("parity.yaml", &yaml(&cases)) {
            panic!("the generated parity spec does not load:\n{e}");
        }
        let ts = typescript(&cases);
        assert!(
            ts.contains("page.getByRole(\"button\", { name: new RegExp(\"Save \\\\d$\", \"\") })"),
            "{ts}"
        );
        assert!(
            ts.contains("page.frameLocator(\"iframe\").getByRole(\"button\", { name: \"go\" })"),
            "{ts}"
        );
    }

    #[test]
    fn quoting_survives_both_languages() {
        assert_eq!(q("a\"b\\c\u{a0}"), "\"a\\\"b\\\\c\\u00a0\"");
    }
}
