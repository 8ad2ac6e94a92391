-- Shared by every service (from rc-common): the transactional outbox and the idempotency inbox.
-- Versions 1_0.x belong to rc-common; services number their own migrations from 1_1.

CREATE TABLE outbox_event (
    position      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id      UUID        NOT NULL UNIQUE,
    topic         TEXT        NOT NULL,
    message_key   TEXT        NOT NULL,
    event_type    TEXT        NOT NULL,
    payload       TEXT        NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    published_at  TIMESTAMPTZ
);

CREATE INDEX outbox_event_unpublished ON outbox_event (position) WHERE published_at IS NULL;
CREATE INDEX outbox_event_published_at ON outbox_event (published_at) WHERE published_at IS NOT NULL;

-- Wake the relay when a transaction that wrote to the outbox commits.
CREATE FUNCTION outbox_event_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('rc_outbox', TG_TABLE_SCHEMA);
    RETURN NULL;
END;
$$;

CREATE TRIGGER outbox_event_inserted
    AFTER INSERT ON outbox_event
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_event_notify();

CREATE TABLE inbox_event (
    event_id    UUID        PRIMARY KEY,
    event_type  TEXT        NOT NULL,
    source      TEXT,
    handled_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX inbox_event_handled_at ON inbox_event (handled_at);
