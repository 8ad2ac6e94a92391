-- Tokens the model proxy accepts: one per task run, scoped to its session and owner, stored as a
-- SHA-256 hash (the token itself only ever exists in the run's environment).
CREATE TABLE model_token (
    token_hash bytea PRIMARY KEY,
    session_id uuid NOT NULL,
    owner_id text NOT NULL,
    task_id uuid NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX model_token_task ON model_token (task_id);
CREATE INDEX model_token_expiry ON model_token (expires_at);
