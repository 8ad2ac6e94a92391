-- rc-common: failed publishing attempts and dead-lettered outbox rows (see OutboxRelay).
-- attempts:    failures charged to the row (counted towards rc.outbox.max-attempts)
-- last_error:  what the last failure said (the error's class and message, never the payload)
-- retry_at:    the row's key is not tried again before this (backoff after a failure)
-- dead_at:     set aside for good: the relay skips it; an operator may replay it (clears it)

ALTER TABLE outbox_event
    ADD COLUMN attempts   INTEGER     NOT NULL DEFAULT 0,
    ADD COLUMN last_error TEXT,
    ADD COLUMN retry_at   TIMESTAMPTZ,
    ADD COLUMN dead_at    TIMESTAMPTZ;

-- The relay's batch: the rows still to publish, by key in publishing order.
DROP INDEX outbox_event_unpublished;
CREATE INDEX outbox_event_pending ON outbox_event (message_key, position)
    WHERE published_at IS NULL AND dead_at IS NULL;

-- The operators' list of dead rows.
CREATE INDEX outbox_event_dead ON outbox_event (position) WHERE dead_at IS NOT NULL;
