-- Pull requests: the sessions this service knows (from session.requested and git.pushed), the pull
-- (merge) requests opened on a forge for them, and a per-repository webhook secret (sealed).
CREATE TABLE known_session (
    session_id         UUID PRIMARY KEY,
    owner_id           TEXT        NOT NULL,
    repository_url     TEXT        NOT NULL,
    normalized_url     TEXT        NOT NULL,
    last_pushed_branch TEXT,
    updated_at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX known_session_owner ON known_session (owner_id);

CREATE TABLE pull_request (
    id             UUID PRIMARY KEY,
    session_id     UUID        NOT NULL,
    repository_id  UUID        NOT NULL REFERENCES repository (id) ON DELETE CASCADE,
    owner_id       TEXT        NOT NULL,
    forge          TEXT        NOT NULL,
    number         BIGINT      NOT NULL,
    url            TEXT        NOT NULL,
    title          TEXT        NOT NULL,
    head           TEXT        NOT NULL,
    base           TEXT        NOT NULL,
    draft          BOOLEAN     NOT NULL,
    state          TEXT        NOT NULL,
    task_id        UUID,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    UNIQUE (repository_id, number)
);
CREATE INDEX pull_request_session ON pull_request (session_id, created_at DESC, id);

ALTER TABLE repository ADD COLUMN sealed_webhook_secret TEXT;
