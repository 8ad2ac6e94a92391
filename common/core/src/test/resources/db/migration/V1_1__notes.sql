CREATE TABLE note (
    id         UUID PRIMARY KEY,
    owner_id   TEXT NOT NULL,
    text       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE received_notice (
    event_id  UUID PRIMARY KEY,
    subject   TEXT NOT NULL,
    message   TEXT NOT NULL
);
