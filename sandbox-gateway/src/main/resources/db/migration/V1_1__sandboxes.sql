CREATE TABLE sandbox (
    session_id   UUID PRIMARY KEY,
    owner_id     TEXT        NOT NULL,
    provider     TEXT        NOT NULL,
    provider_id  TEXT,
    state        TEXT        NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL
);
