use std::process::Command;

use anyhow::Result;
use prod_smoke_testkit::TEST_DATABASE_URL_ENV;

use crate::postgres::TestDatabase;

/// Every test in the workspace, against real Chromium and a real Postgres.
pub fn run(extra: &[String]) -> Result<()> {
    crate::chromium::ensure()?;
    let db = TestDatabase::find_or_start()?;
    let mut cmd = Command::new(env!("CARGO"));
    cmd.args(["test", "--workspace", "--no-fail-fast"])
        .args(extra)
        .env(TEST_DATABASE_URL_ENV, db.url());
    crate::run_cmd(&mut cmd)
    // `db` drops here, stopping a throwaway cluster.
}
