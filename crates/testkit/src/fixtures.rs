//! The hub app's tables, as plain SQL a test loads into a fresh database.

/// `releases` (with `smoke_seal` and the single-active partial unique index)
/// and `release_events` (with a unique index on `idempotency_key`).
pub const HUB_SCHEMA: &str = include_str!("../fixtures/hub_schema.sql");

/// The same tables before the hub's `AddSmokeSealToReleases` migration.
pub const HUB_SCHEMA_WITHOUT_SMOKE_SEAL: &str =
    include_str!("../fixtures/hub_schema_without_smoke_seal.sql");
