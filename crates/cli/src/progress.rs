//! Turns runner events into what people see: a spinner per scenario on a
//! terminal, plain lines in CI and pipes.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use prod_smoke_model::{CheckStatus, Redactor};
use prod_smoke_runner::RunEvent;
use tokio::sync::mpsc::UnboundedReceiver;

/// Live progress only on an interactive terminal outside CI.
pub fn is_interactive() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("CI").is_none()
}

pub async fn report(mut rx: UnboundedReceiver<RunEvent>, redactor: Redactor) {
    let live = is_interactive();
    let multi = MultiProgress::with_draw_target(if live {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    });
    let mut bars: HashMap<String, ProgressBar> = HashMap::new();
    let spinner =
        ProgressStyle::with_template("  {spinner} {msg} {elapsed:.dim}").expect("valid template");
    while let Some(event) = rx.recv().await {
        match event {
            RunEvent::ScenarioStarted { name, attempt } => {
                if live {
                    let bar = multi.add(ProgressBar::new_spinner());
                    bar.set_style(spinner.clone());
                    bar.set_message(label(&name, attempt));
                    bar.enable_steady_tick(Duration::from_millis(100));
                    bars.insert(name, bar);
                }
            }
            RunEvent::CheckFinished { check } => {
                if check.status == CheckStatus::Failed {
                    let line = format!(
                        "      ✗ {}",
                        redactor.redact(check.error.as_deref().unwrap_or(&check.name))
                    );
                    if live {
                        let _ = multi.println(line);
                    } else {
                        eprintln!("{line}");
                    }
                }
            }
            RunEvent::ScenarioFinished {
                name,
                attempt,
                passed,
                duration,
            } => {
                let mark = if passed { "✓" } else { "✗" };
                let line = format!(
                    "  {mark} {} ({:.1}s)",
                    label(&name, attempt),
                    duration.as_secs_f32()
                );
                match bars.remove(&name) {
                    Some(bar) => {
                        bar.finish_and_clear();
                        let _ = multi.println(line);
                    }
                    None => eprintln!("{line}"),
                }
            }
            RunEvent::BrowserReady { startup } => {
                tracing::info!("Chromium ready in {:.2}s", startup.as_secs_f32());
            }
            RunEvent::RetryScheduled { scenarios, delay } => {
                eprintln!(
                    "  ↻ retrying {} failed scenario(s) after a {}s boot-window wait",
                    scenarios.len(),
                    delay.as_secs()
                );
            }
            RunEvent::Note { scenario, text } => {
                eprintln!(
                    "  note ({}): {}",
                    redactor.redact(&scenario),
                    redactor.redact(&text)
                );
            }
        }
    }
}

fn label(name: &str, attempt: u32) -> String {
    if attempt > 1 {
        format!("{name} [retry {}]", attempt - 1)
    } else {
        name.to_string()
    }
}
