//! The rollback crate against real git repos and stub platform CLIs (a
//! real `heroku` or `fly` would need the network and an account).

mod dry_run;
mod history;
mod strategies;
