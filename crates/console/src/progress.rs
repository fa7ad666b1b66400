//! Renders the engine's events for people, on stderr: a spinner per
//! scenario on a terminal, plain lines in CI and pipes, then each phase's
//! lines. Every line here is part of the drop-in contract's output. It is
//! a consumer of the event channel: the engine sends, this renders, and
//! the two never share anything else.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use prod_smoke_engine::{CanaryAnswer, EngineEvent, Outcome, SealPlace};
use prod_smoke_model::CheckStatus;
use prod_smoke_redact::Redactor;
use prod_smoke_runner::RunEvent;
use tokio::sync::mpsc::UnboundedReceiver;

/// Live progress only on an interactive terminal outside CI.
fn is_interactive() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("CI").is_none()
}

/// The scenarios' spinners, on a terminal.
struct Live {
    multi: MultiProgress,
    bars: HashMap<String, ProgressBar>,
    spinner: ProgressStyle,
    on: bool,
}

/// Renders a seal's (or one watch pass's) engine events until the channel
/// closes. `redactor` masks the secrets in the lines that carry site text.
pub async fn render_events(mut rx: UnboundedReceiver<EngineEvent>, redactor: Redactor) {
    let on = is_interactive();
    let target = match on {
        true => ProgressDrawTarget::stderr(),
        false => ProgressDrawTarget::hidden(),
    };
    let mut live = Live {
        multi: MultiProgress::with_draw_target(target),
        bars: HashMap::new(),
        spinner: ProgressStyle::with_template("  {spinner} {msg} {elapsed:.dim}")
            .expect("valid template"),
        on,
    };
    while let Some(event) = rx.recv().await {
        match event {
            EngineEvent::Run(event) => live.run(event, &redactor),
            event => phase(event),
        }
    }
}

impl Live {
    fn run(&mut self, event: RunEvent, redactor: &Redactor) {
        match event {
            RunEvent::ScenarioStarted { name, attempt } if self.on => {
                let bar = self.multi.add(ProgressBar::new_spinner());
                bar.set_style(self.spinner.clone());
                bar.set_message(label(&name, attempt));
                bar.enable_steady_tick(Duration::from_millis(100));
                self.bars.insert(name, bar);
            }
            RunEvent::CheckFinished { check } if check.status == CheckStatus::Failed => {
                let what = check.error.as_deref().unwrap_or(&check.name);
                let line = format!("      ✗ {}", redactor.redact(what));
                if self.on {
                    let _ = self.multi.println(line);
                } else {
                    eprintln!("{line}");
                }
            }
            RunEvent::ScenarioFinished {
                name,
                attempt,
                passed,
                duration,
            } => {
                let mark = if passed { "✓" } else { "✗" };
                let secs = duration.as_secs_f32();
                let line = format!("  {mark} {} ({secs:.1}s)", label(&name, attempt));
                match self.bars.remove(&name) {
                    Some(bar) => {
                        bar.finish_and_clear();
                        let _ = self.multi.println(line);
                    }
                    None => eprintln!("{line}"),
                }
            }
            RunEvent::BrowserReady { startup } => {
                tracing::info!("Chromium ready in {:.2}s", startup.as_secs_f32());
            }
            RunEvent::RetryScheduled { scenarios, delay } => eprintln!(
                "  ↻ retrying {} failed scenario(s) after a {}s boot-window wait",
                scenarios.len(),
                delay.as_secs()
            ),
            RunEvent::Note { scenario, text } => eprintln!(
                "  note ({}): {}",
                redactor.redact(&scenario),
                redactor.redact(&text)
            ),
            _ => {}
        }
    }
}

/// The lines of every phase after the start. Their text is already masked.
fn phase(event: EngineEvent) {
    match event {
        EngineEvent::Started {
            app,
            url,
            grep,
            artifacts,
            artifacts_refused,
            ..
        } => {
            eprintln!("→ prod-smoke {app}: {grep} against {url} (read-only)");
            if let Some((wanted, why)) = artifacts_refused {
                eprintln!(
                    "prod-smoke: cannot write artifacts to {}: {why}; using {} instead",
                    wanted.display(),
                    artifacts.display()
                );
            }
            eprintln!("  artifacts: {}", artifacts.display());
        }
        EngineEvent::RunCut {
            signal: Some(s), ..
        } => {
            eprintln!("prod-smoke: interrupted by {s}; the browser was closed")
        }
        EngineEvent::RunCut { why, .. } => eprintln!("prod-smoke: {why}"),
        EngineEvent::CanaryJudged(CanaryAnswer::Unset) => eprintln!(
            "  canary: no canary was set, so a runner without a network looks like a dead site; \
             set --canary URL or PROD_SMOKE_CANARY_URL"
        ),
        EngineEvent::CanaryJudged(CanaryAnswer::Answered { shown, status }) => {
            eprintln!("  canary: {shown} answered HTTP {status}; the runner has a network")
        }
        EngineEvent::CanaryJudged(CanaryAnswer::Silent { shown, why }) => {
            eprintln!("  canary: {shown} did not answer either: {why}")
        }
        EngineEvent::ComparedWithLastGreen {
            run_id,
            changed,
            compared,
        } => eprintln!("  since last green (run {run_id}): {changed} of {compared} pages changed"),
        EngineEvent::ReportsWritten {
            report_html,
            traces,
            screenshots,
            ..
        } => {
            eprintln!("  report: {}", report_html.display());
            for (file, scenario) in traces {
                eprintln!("  trace: {} ({scenario})", file.display());
            }
            for (shot, check) in screenshots {
                eprintln!("  screenshot: {} ({check})", shot.display());
            }
        }
        EngineEvent::ReportsNotWritten { why } => {
            eprintln!("prod-smoke: could not write the reports: {why}")
        }
        EngineEvent::StepSummaryNotWritten { why } => {
            eprintln!("prod-smoke: cannot append the step summary: {why}")
        }
        EngineEvent::Annotations { lines } => lines.iter().for_each(|l| eprintln!("{l}")),
        EngineEvent::Judged {
            environment_error,
            counts,
        } => {
            if let Some(why) = environment_error {
                eprintln!("prod-smoke: inconclusive — {why}");
            }
            eprintln!("{}", counts.line());
            if counts.flaky > 0 {
                eprintln!("{} flaky", counts.flaky);
            }
        }
        EngineEvent::SealNotConfigured { why } => eprintln!(
            "prod-smoke: the seal is not configured: {why}; the verdict reached no durable place"
        ),
        EngineEvent::SealDelivered {
            verdict_line,
            place,
            sinks,
        } => {
            eprintln!("{verdict_line}");
            match place {
                SealPlace::Ledger { path, run_id } => {
                    eprintln!("  seal: ledger {} (run {run_id})", path.display())
                }
                SealPlace::Elsewhere { said } => eprintln!("prod-smoke: {said}"),
            }
            for (sink, said) in sinks {
                eprintln!("  {sink}: {said}");
            }
        }
        EngineEvent::DeliveriesUntracked { why } => {
            eprintln!("prod-smoke: the seal's deliveries could not be tracked: {why}")
        }
        EngineEvent::BaselineNotKept { why } => eprintln!("prod-smoke: {why}"),
        EngineEvent::RollbackBlock { block } => eprintln!("{block}"),
        EngineEvent::Finished {
            app, url, outcome, ..
        } => {
            // A green site whose seal exists nowhere is inconclusive too.
            let (mark, word) = match outcome {
                Outcome::Green => ("✓", "PASS"),
                Outcome::Red => ("✗", "FAIL"),
                Outcome::Inconclusive => ("✗", "INCONCLUSIVE"),
            };
            eprintln!("{mark} prod-smoke {app}: {word} @ {url}");
        }
        EngineEvent::ManifestNotRewritten { why } => {
            eprintln!("prod-smoke: could not rewrite the manifest: {why}")
        }
        EngineEvent::SpecNotHashed => eprintln!(
            "prod-smoke: no seal.intoto.json: the spec could not be read again to hash it"
        ),
        EngineEvent::StatementNotWritten { why } => {
            eprintln!("prod-smoke: could not write seal.intoto.json: {why}")
        }
        // heartbeat.log's alone.
        EngineEvent::Run(_)
        | EngineEvent::VerdictDecided { .. }
        | EngineEvent::RollbackShaFound { .. }
        | EngineEvent::SealStarted
        | EngineEvent::Delivery { .. } => {}
    }
}

fn label(name: &str, attempt: u32) -> String {
    if attempt > 1 {
        format!("{name} [retry {}]", attempt - 1)
    } else {
        name.to_string()
    }
}
