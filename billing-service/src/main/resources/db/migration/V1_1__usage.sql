-- Metered intervals of session time, one row per state interval, from session-state-changed events.
CREATE TABLE session_interval (
    session_id  UUID        NOT NULL,
    owner_id    TEXT        NOT NULL,
    state       TEXT        NOT NULL,
    started_at  TIMESTAMPTZ NOT NULL,
    ended_at    TIMESTAMPTZ,
    PRIMARY KEY (session_id, started_at)
);
