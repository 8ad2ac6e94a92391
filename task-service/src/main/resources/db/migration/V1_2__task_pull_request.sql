-- A task's pullRequest option: when it succeeds, the gateway commits its changes on the session's
-- working branch, pushes them and the repository-service opens (or updates) a pull request. All
-- NULL when the task did not ask for one (pr_requested false).
ALTER TABLE task ADD COLUMN pr_requested BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE task ADD COLUMN pr_base TEXT;
ALTER TABLE task ADD COLUMN pr_draft BOOLEAN;
ALTER TABLE task ADD COLUMN pr_title TEXT;
ALTER TABLE task ADD COLUMN pr_body TEXT;
