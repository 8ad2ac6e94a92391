-- Leased work (provisioning, task runs) is owned through the row's worker and that worker's lease
-- in gateway_worker; the per-row lease columns were never used.
DROP INDEX sandbox_leased;
DROP INDEX task_run_active;
ALTER TABLE sandbox DROP COLUMN lease_until;
ALTER TABLE task_run DROP COLUMN lease_until;
CREATE INDEX sandbox_pending ON sandbox (state, worker);
CREATE INDEX task_run_pending ON task_run (state, worker);
