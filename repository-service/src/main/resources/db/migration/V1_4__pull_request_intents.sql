-- The pull requests tasks asked for and not opened yet. A git.pushed with a pullRequest option is
-- recorded here inside the inbox's transaction; the forge is called after that transaction, by a
-- worker that claims due rows (SKIP LOCKED), so no connection or transaction is held across the
-- forge's answer. A row is deleted once its pull request is opened or updated (or failed for good);
-- a forge that is down moves next_attempt_at on.
CREATE TABLE pull_request_intent (
    id              UUID PRIMARY KEY,
    session_id      UUID        NOT NULL,
    owner_id        TEXT        NOT NULL,
    task_id         UUID,
    branch          TEXT        NOT NULL,
    base            TEXT,
    title           TEXT,
    body            TEXT,
    draft           BOOLEAN,
    attempts        INT         NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX pull_request_intent_due ON pull_request_intent (next_attempt_at);
