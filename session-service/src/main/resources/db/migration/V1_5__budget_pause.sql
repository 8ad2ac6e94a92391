-- A session paused because a budget was spent (the gateway's budget.exceeded): which budget
-- (SESSION or MONTHLY) and its cap. It is not resumed until billing publishes that cap raised or
-- removed (billing.budget-changed), which clears these.
ALTER TABLE session ADD COLUMN budget_scope TEXT;
ALTER TABLE session ADD COLUMN budget_cap_usd NUMERIC;
CREATE INDEX session_budget_blocked ON session (owner_id) WHERE budget_scope IS NOT NULL;
