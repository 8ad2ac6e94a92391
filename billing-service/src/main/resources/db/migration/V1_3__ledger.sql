-- The usage ledger: every charge, priced from the rate card when it was recorded. Fed from events
-- only, in the transaction that records the event in the inbox; (source_event_id, period_start)
-- makes a line impossible to write twice even without the inbox. A compute interval is split at
-- UTC midnight (one line per day it touched, all from the event that closed it); a model answer is
-- one line.
CREATE TABLE usage_line (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source_event_id     UUID           NOT NULL,
    user_id             TEXT           NOT NULL,
    session_id          UUID           NOT NULL,
    task_id             UUID,
    kind                TEXT           NOT NULL CHECK (kind IN ('COMPUTE', 'MODEL')),
    -- COMPUTE: the session state (READY, PAUSED, ...); MODEL: the model that answered.
    detail              TEXT           NOT NULL,
    -- COMPUTE: the sandbox provider the rate came from (or the default's name).
    provider            TEXT,
    period_start        TIMESTAMPTZ    NOT NULL,
    period_end          TIMESTAMPTZ    NOT NULL,
    seconds             BIGINT         NOT NULL DEFAULT 0,
    input_tokens        BIGINT         NOT NULL DEFAULT 0,
    output_tokens       BIGINT         NOT NULL DEFAULT 0,
    cache_read_tokens   BIGINT         NOT NULL DEFAULT 0,
    cache_write_tokens  BIGINT         NOT NULL DEFAULT 0,
    -- US dollars, 10 decimal places (a second of compute costs fractions of a cent).
    amount_usd          NUMERIC(24, 10) NOT NULL,
    UNIQUE (source_event_id, period_start)
);
CREATE INDEX usage_line_user_period ON usage_line (user_id, period_start);
CREATE INDEX usage_line_session ON usage_line (session_id);
CREATE INDEX usage_line_task ON usage_line (task_id) WHERE task_id IS NOT NULL;

-- The provider each session's sandbox runs on (from sandbox.provisioned), for its compute rate.
CREATE TABLE session_provider (
    session_id  UUID  PRIMARY KEY,
    provider    TEXT  NOT NULL
);

-- One row per user billing has seen: the plan, and when its quota was last published.
CREATE TABLE billing_account (
    user_id             TEXT         PRIMARY KEY,
    plan                TEXT         NOT NULL,
    created_at          TIMESTAMPTZ  NOT NULL,
    plan_changed_at     TIMESTAMPTZ  NOT NULL,
    quota_published_at  TIMESTAMPTZ
);
CREATE INDEX billing_account_quota_published ON billing_account (quota_published_at);

-- Open intervals are what the quota job looks at.
CREATE INDEX session_interval_open ON session_interval (owner_id) WHERE ended_at IS NULL;

-- model_usage was the token meter before the ledger; usage_line holds every model answer since.
-- Its rows (unpriced) stay for reference and are no longer written.
COMMENT ON TABLE model_usage IS 'superseded by usage_line; no longer written';
