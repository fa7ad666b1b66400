//! `prod-smoke rollback`: the rollback dry run on its own. It proves
//! whether the printed rollback commands would work and runs none of
//! them: there is no flag that executes anything.

use prod_smoke_engine::rollback::dry_run;
use prod_smoke_model::RevertStatus;
use prod_smoke_seal::block_with_proof;

use crate::args::RollbackArgs;
use crate::exit;

/// `prod-smoke rollback [APP] --sha SHA [--repo PATH]`: prints the block
/// and its proof; exits 0 clean, 1 conflict, 2 bad input, 3 not checked.
/// Without `--sha`, the release's `deployed_sha` is read from
/// `DATABASE_URL` (read-only).
pub async fn run(args: RollbackArgs) -> u8 {
    let proof = match dry_run(&args.request).await {
        Ok(proof) => proof,
        Err(e) => {
            eprintln!("prod-smoke: {e}");
            return exit::BAD_INPUT;
        }
    };
    if args.json {
        match serde_json::to_string(&proof) {
            Ok(json) => println!("{json}"),
            Err(e) => eprintln!("prod-smoke: {e}"),
        }
    } else {
        println!("{}", block_with_proof(&proof.block, Some(&proof)));
    }
    match proof.revert.status {
        RevertStatus::AppliesCleanly => exit::REVERT_APPLIES,
        RevertStatus::Conflict => exit::REVERT_CONFLICTS,
        RevertStatus::NotChecked => exit::NOT_CHECKED,
    }
}
