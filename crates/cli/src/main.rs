//! `prod-smoke`: a thin shell over the library crates. `main` parses
//! arguments and hands over to one function per command.

mod args;
mod check_cmd;
mod devices_cmd;
mod exit;
mod logging;
mod rollback_cmd;
mod run_cmd;
mod seal_cmds;
mod steps_cmd;
mod usage;
mod watch_cmd;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

fn main() -> ExitCode {
    let parsed = args::Cli::command()
        .try_get_matches()
        .and_then(|m| Ok((args::Cli::from_arg_matches(&m)?, m)));
    let (mut cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(e) => {
            // --help and --version are not errors.
            let code = if e.use_stderr() {
                exit::BAD_INPUT
            } else {
                exit::GREEN
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    if let Err(message) = usage::check(&cli, &matches) {
        eprintln!("prod-smoke: {message}");
        return ExitCode::from(exit::BAD_INPUT);
    }
    cli.spread_globals();
    logging::init(cli.global.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("prod-smoke: cannot start the async runtime: {e}");
            return ExitCode::from(exit::ENVIRONMENT);
        }
    };
    let code = runtime.block_on(async move {
        let code = match cli.command {
            Some(args::Command::Check(c)) => check_cmd::run(&c),
            Some(args::Command::Deliver(c)) => seal_cmds::deliver(&c).await,
            Some(args::Command::Devices) => devices_cmd::run(),
            Some(args::Command::History(c)) => seal_cmds::history(&c).await,
            Some(args::Command::Notes(c)) => seal_cmds::notes(&c).await,
            Some(args::Command::Rollback(c)) => rollback_cmd::run(c).await,
            Some(args::Command::Steps) => steps_cmd::run(),
            Some(args::Command::Watch(c)) => watch_cmd::run(*c).await,
            None => run_cmd::run(cli.run).await,
        };
        // The browser was killed when the suite ended; its reaping overlapped
        // the reports and the seal. No zombie outlives prod-smoke.
        prod_smoke_runner::finish_reaping().await;
        code
    });
    // Don't wait for stray blocking tasks (a hung DNS lookup) at exit.
    runtime.shutdown_timeout(std::time::Duration::from_secs(2));
    ExitCode::from(code)
}
