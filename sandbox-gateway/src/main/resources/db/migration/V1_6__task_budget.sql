-- A task's cost cap (TaskDispatched.maxCostUsd) and what its model answers cost so far, priced by
-- the model proxy as it meters them (rc-common's ModelPrices, the prices billing uses). The proxy
-- refuses the task's requests once spent_usd reaches max_cost_usd and marks the run
-- budget_exceeded, which it then ends with BUDGET_EXCEEDED.
ALTER TABLE task_run ADD COLUMN max_cost_usd NUMERIC;
ALTER TABLE task_run ADD COLUMN spent_usd NUMERIC NOT NULL DEFAULT 0;
ALTER TABLE task_run ADD COLUMN budget_exceeded BOOLEAN NOT NULL DEFAULT false;
