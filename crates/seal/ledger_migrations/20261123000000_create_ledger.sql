-- prod-smoke's local seal ledger. Every run is written here before any
-- delivery, so a dead database or Discord never loses a seal. Nothing secret
-- is stored: reports are redacted before they arrive.

CREATE TABLE runs (
    run_id           TEXT PRIMARY KEY NOT NULL,
    app              TEXT NOT NULL,
    url              TEXT NOT NULL,
    -- green | red | inconclusive
    verdict          TEXT NOT NULL CHECK (verdict IN ('green', 'red', 'inconclusive')),
    -- The seal as the app stores it; NULL for an inconclusive run.
    seal_status      TEXT CHECK (seal_status IN ('green', 'red')),
    summary          TEXT NOT NULL,
    verdict_line     TEXT NOT NULL,
    -- UTC ISO-8601, whole seconds: 2026-06-26T21:28:45Z
    checked_at       TEXT NOT NULL,
    started_at       TEXT NOT NULL,
    duration_ms      INTEGER NOT NULL,
    passed           INTEGER NOT NULL,
    failed           INTEGER NOT NULL,
    flaky            INTEGER NOT NULL,
    retried          INTEGER NOT NULL,
    artifacts_dir    TEXT,
    -- Given with --release, or resolved from Postgres on delivery.
    release_slug     TEXT,
    release_explicit INTEGER NOT NULL DEFAULT 0,
    -- Given by the caller; deployed_sha is read from the release row.
    sha              TEXT,
    deployed_sha     TEXT,
    production_app   TEXT,
    repo             TEXT,
    run_link         TEXT,
    -- Per-check results.
    checks_json      TEXT NOT NULL,
    -- The whole (redacted) RunReport, so a delivery can be replayed later.
    report_json      TEXT NOT NULL,
    recorded_at      TEXT NOT NULL
);

CREATE INDEX runs_by_app_and_time ON runs (app, checked_at DESC);
CREATE INDEX runs_by_time ON runs (checked_at DESC);

-- One row per run and sink (postgres, discord, notes).
CREATE TABLE deliveries (
    run_id       TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    sink         TEXT NOT NULL CHECK (sink IN ('postgres', 'discord', 'notes')),
    position     INTEGER NOT NULL,
    -- pending: to be (re)tried; delivering: claimed by a process right now;
    -- delivered; skipped: not configured, or nothing to deliver (see reason).
    state        TEXT NOT NULL CHECK (state IN ('pending', 'delivering', 'delivered', 'skipped')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    -- Why it was skipped, or what was delivered.
    detail       TEXT,
    -- Sink-specific target, e.g. the release-notes message id.
    target       TEXT,
    claimed_at   TEXT,
    delivered_at TEXT,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (run_id, sink)
);

CREATE INDEX deliveries_by_state ON deliveries (state);

-- The Discord message that carries a release's seal, so a re-run edits it.
CREATE TABLE discord_messages (
    app          TEXT NOT NULL,
    release_slug TEXT NOT NULL,
    message_id   TEXT NOT NULL,
    run_id       TEXT NOT NULL,
    checked_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (app, release_slug)
);
