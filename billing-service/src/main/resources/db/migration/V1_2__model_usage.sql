-- Tokens of every model answer, as the gateway's model proxy read them (one row per model.usage
-- event; the inbox makes a redelivered event count once).
CREATE TABLE model_usage (
    event_id              UUID        PRIMARY KEY,
    owner_id              TEXT        NOT NULL,
    session_id            UUID        NOT NULL,
    task_id               UUID        NOT NULL,
    model                 TEXT        NOT NULL,
    input_tokens          BIGINT      NOT NULL,
    output_tokens         BIGINT      NOT NULL,
    cache_read_tokens     BIGINT      NOT NULL,
    cache_creation_tokens BIGINT      NOT NULL,
    at                    TIMESTAMPTZ NOT NULL
);
CREATE INDEX model_usage_owner_at ON model_usage (owner_id, at);
