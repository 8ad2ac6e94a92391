-- A task's cost cap (USD at list prices), passed to the gateway on dispatch; its model proxy
-- refuses the task's requests once its answers cost that much. Null: no cap of its own.
ALTER TABLE task ADD COLUMN max_cost_usd NUMERIC CHECK (max_cost_usd > 0);
