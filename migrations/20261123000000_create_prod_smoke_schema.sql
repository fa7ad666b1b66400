-- prod-smoke's own history in its own schema. The hub app's tables
-- (releases, release_events) are never altered by prod-smoke.

CREATE SCHEMA IF NOT EXISTS prod_smoke;

CREATE TABLE prod_smoke.runs (
    run_id        text PRIMARY KEY,
    app           text NOT NULL,
    url           text NOT NULL,
    release_slug  text,
    verdict       text NOT NULL CHECK (verdict IN ('green', 'red', 'inconclusive')),
    summary       text NOT NULL,
    checked_at    timestamptz NOT NULL,
    started_at    timestamptz NOT NULL,
    finished_at   timestamptz NOT NULL,
    duration_ms   bigint NOT NULL,
    passed        integer NOT NULL,
    failed        integer NOT NULL,
    flaky         integer NOT NULL,
    retried       boolean NOT NULL,
    artifacts_dir text,
    recorded_at   timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX runs_by_app_and_time ON prod_smoke.runs (app, checked_at DESC);
CREATE INDEX runs_by_release ON prod_smoke.runs (release_slug);

CREATE TABLE prod_smoke.check_results (
    run_id      text NOT NULL REFERENCES prod_smoke.runs (run_id) ON DELETE CASCADE,
    position    integer NOT NULL,
    scenario    text NOT NULL,
    name        text NOT NULL,
    status      text NOT NULL CHECK (status IN ('passed', 'failed', 'flaky', 'skipped')),
    duration_ms bigint NOT NULL,
    http_status integer,
    error       text,
    screenshot  text,
    attempts    integer NOT NULL,
    -- Blocked requests and page errors seen during the check.
    details     jsonb NOT NULL DEFAULT '{}'::jsonb,
    PRIMARY KEY (run_id, position)
);
