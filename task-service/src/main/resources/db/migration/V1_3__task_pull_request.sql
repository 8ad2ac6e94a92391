-- The pull request a task asked for, from repository-service's pr.* events: its link, number and
-- state, or why it could not be opened.
ALTER TABLE task ADD COLUMN pr_url TEXT;
ALTER TABLE task ADD COLUMN pr_number BIGINT;
ALTER TABLE task ADD COLUMN pr_state TEXT;
ALTER TABLE task ADD COLUMN pr_failure_code TEXT;
ALTER TABLE task ADD COLUMN pr_failure_reason TEXT;
