-- Users' budgets (US dollars; null: no cap): a cap on what a calendar month (UTC) of theirs costs,
-- compute and model tokens together, and the default cap of each of their sessions. Published to
-- the gateway's model proxy as billing.budget-changed, which refuses requests past a cap.
CREATE TABLE budget (
    user_id                  TEXT           PRIMARY KEY,
    monthly_cap_usd          NUMERIC(24, 10),
    session_default_cap_usd  NUMERIC(24, 10),
    updated_at               TIMESTAMPTZ    NOT NULL
);

-- A session's own cap (over its whole life), in place of its owner's default.
CREATE TABLE session_budget (
    session_id  UUID            PRIMARY KEY,
    user_id     TEXT            NOT NULL,
    cap_usd     NUMERIC(24, 10) NOT NULL,
    updated_at  TIMESTAMPTZ     NOT NULL
);
CREATE INDEX session_budget_user ON session_budget (user_id);
