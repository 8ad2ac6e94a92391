CREATE TABLE task (
    id          UUID PRIMARY KEY,
    session_id  UUID        NOT NULL,
    owner_id    TEXT        NOT NULL,
    state       TEXT        NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
