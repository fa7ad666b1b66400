-- The sinks are listed in one registry in the code (crates/seal/src/sinks),
-- not here: a new sink must not need a schema change. SQLite cannot drop a
-- CHECK, so the table is rebuilt without the one on `sink`. A prod-smoke
-- that meets a sink it does not know leaves the row alone.

CREATE TABLE deliveries_new (
    run_id       TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    sink         TEXT NOT NULL CHECK (sink <> ''),
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

INSERT INTO deliveries_new (run_id, sink, position, state, attempts, last_error, detail, target,
    claimed_at, delivered_at, updated_at)
SELECT run_id, sink, position, state, attempts, last_error, detail, target, claimed_at,
    delivered_at, updated_at
FROM deliveries;

DROP TABLE deliveries;
ALTER TABLE deliveries_new RENAME TO deliveries;
CREATE INDEX deliveries_by_state ON deliveries (state);
