-- `prod-smoke watch` records every pass as a run. These say which watch a
-- run belongs to and what the watch did with it, so a replay delivers an
-- amendment as one (a new Discord message, its own release event) and
-- `prod-smoke history` folds a watch's quiet passes into the line of the
-- change they followed. NULL for a plain run.

-- The watch: its first pass's run id.
ALTER TABLE runs ADD COLUMN watch_id TEXT;
-- 1-based pass number within the watch.
ALTER TABLE runs ADD COLUMN watch_pass INTEGER;
-- seal: the normal seal; keep: the ledger only; amend: a confirmed change.
ALTER TABLE runs ADD COLUMN watch_record TEXT CHECK (watch_record IN ('seal', 'keep', 'amend'));
-- For an amendment: when the new verdict was first seen, e.g. `12 min after ship`.
ALTER TABLE runs ADD COLUMN watch_after_ship TEXT;

CREATE INDEX runs_by_watch ON runs (watch_id, watch_pass);
