-- A session in PAUSING, RESUMING or TERMINATING asks the gateway again when no answer came (the
-- request or the answer was lost, e.g. dead-lettered while a provider's breaker was open):
-- when it asks next, and how many times it asked.
ALTER TABLE session ADD COLUMN transition_retry_at timestamptz;
ALTER TABLE session ADD COLUMN transition_retries integer NOT NULL DEFAULT 0;
CREATE INDEX session_transitional ON session (state_changed_at)
    WHERE state IN ('PAUSING', 'RESUMING', 'TERMINATING');
