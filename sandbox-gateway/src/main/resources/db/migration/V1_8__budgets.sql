-- Users' budgets as billing last published them (billing.budget-changed, the newest by as_of): the
-- caps, and the compute spend billing's ledger counted. The model tokens against them are the
-- gateway's own (task_run.spent_usd), so a refusal never waits on billing.
CREATE TABLE user_budget (
    owner_id                 TEXT        PRIMARY KEY,
    monthly_cap_usd          NUMERIC,
    session_default_cap_usd  NUMERIC,
    month_start              TIMESTAMPTZ NOT NULL,
    month_compute_usd        NUMERIC     NOT NULL,
    as_of                    TIMESTAMPTZ NOT NULL
);

-- The sessions billing listed with the user's budget: a cap of their own (null: the default) and
-- their compute spend over their life.
CREATE TABLE session_budget (
    session_id   UUID    PRIMARY KEY,
    owner_id     TEXT    NOT NULL,
    cap_usd      NUMERIC,
    compute_usd  NUMERIC NOT NULL
);
CREATE INDEX session_budget_owner ON session_budget (owner_id);

-- Budget notices already put on a stream: one per crossing of a cap (the key names the cap's
-- amount, so a raised cap warns again when it is crossed).
CREATE TABLE budget_notice (
    notice_key  TEXT        PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL
);

-- Which budget stopped a run (TASK, SESSION or MONTHLY) and its cap, set with budget_exceeded.
ALTER TABLE task_run ADD COLUMN budget_scope TEXT;
ALTER TABLE task_run ADD COLUMN budget_cap_usd NUMERIC;
-- A user's model spend this month: their runs started since the month began.
CREATE INDEX task_run_owner_started ON task_run (owner_id, started_at);
