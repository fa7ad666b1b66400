//! Integration tests for the seal, against a real Postgres (a throwaway
//! database, or a private cluster that is really stopped and started) and a
//! real HTTP mock of Discord.

mod discord;
mod docs;
mod github;
mod ledger;
mod notes;
mod outage;
mod postgres;
mod secrets;
mod support;
mod webhook;
