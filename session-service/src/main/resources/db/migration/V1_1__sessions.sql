CREATE TABLE session (
    id                 UUID PRIMARY KEY,
    owner_id           TEXT        NOT NULL,
    state              TEXT        NOT NULL,
    created_at         TIMESTAMPTZ NOT NULL
);
