-- Sessions, their transitions, the task activity that keeps them busy, and the quota read-model.

CREATE TABLE session (
    id                    UUID        PRIMARY KEY,
    owner_id              TEXT        NOT NULL,
    state                 TEXT        NOT NULL,
    state_reason          TEXT,
    state_changed_at      TIMESTAMPTZ NOT NULL,
    repository_url        TEXT        NOT NULL,
    branch                TEXT,
    provider              TEXT        NOT NULL,
    sandbox_id            TEXT,
    idle_timeout_seconds  BIGINT      NOT NULL CHECK (idle_timeout_seconds > 0),
    max_lifetime_seconds  BIGINT      NOT NULL CHECK (max_lifetime_seconds > 0),
    -- variable name -> value sealed with the platform key (never plaintext)
    environment           JSONB       NOT NULL DEFAULT '{}'::jsonb,
    setup_commands        TEXT[]      NOT NULL DEFAULT '{}',
    created_at            TIMESTAMPTZ NOT NULL,
    last_activity_at      TIMESTAMPTZ NOT NULL,
    expires_at            TIMESTAMPTZ NOT NULL,
    lifetime_ends_at      TIMESTAMPTZ NOT NULL,
    idle_pause_at         TIMESTAMPTZ,
    lifetime_warned_for   TIMESTAMPTZ,
    attached_clients      INT         NOT NULL DEFAULT 0,
    running_commands      INT         NOT NULL DEFAULT 0,
    next_snapshot_at      TIMESTAMPTZ,
    last_snapshot_id      TEXT,
    last_snapshot_at      TIMESTAMPTZ,
    recovery_attempts     INT         NOT NULL DEFAULT 0,
    CONSTRAINT session_state_known CHECK (state IN ('PROVISIONING', 'READY', 'PAUSING', 'PAUSED',
        'RESUMING', 'TERMINATING', 'TERMINATED', 'FAILED', 'RECOVERING')),
    CONSTRAINT session_expiry_within_lifetime CHECK (expires_at <= lifetime_ends_at)
);

-- Listing a user's sessions, newest first.
CREATE INDEX session_owner_created ON session (owner_id, created_at DESC, id DESC);
-- Counting a user's active sessions (quota).
CREATE INDEX session_owner_state ON session (owner_id, state);
-- The timers: each looks only at the sessions it may act on.
CREATE INDEX session_idle_due ON session (last_activity_at) WHERE state = 'READY';
CREATE INDEX session_idle_pause_due ON session (idle_pause_at) WHERE idle_pause_at IS NOT NULL;
CREATE INDEX session_expiry_due ON session (expires_at)
    WHERE state IN ('PROVISIONING', 'READY', 'PAUSING', 'PAUSED', 'RESUMING', 'RECOVERING');
CREATE INDEX session_snapshot_due ON session (next_snapshot_at) WHERE next_snapshot_at IS NOT NULL;

-- Every transition, with the exact time the state-changed event carried.
CREATE TABLE session_transition (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id  UUID        NOT NULL REFERENCES session (id),
    from_state  TEXT,
    to_state    TEXT        NOT NULL,
    reason      TEXT,
    at          TIMESTAMPTZ NOT NULL
);

CREATE INDEX session_transition_session ON session_transition (session_id, id);

-- Tasks of a session as far as idleness goes: 1 queued, 2 running, 3 done. Task events come from
-- two topics (task-service, gateway) and may arrive in any order between them, so a task only ever
-- moves forward: a late "queued" never reopens a finished task.
CREATE TABLE session_task (
    session_id  UUID        NOT NULL,
    task_id     UUID        NOT NULL,
    stage       SMALLINT    NOT NULL CHECK (stage IN (1, 2, 3)),
    updated_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (session_id, task_id)
);

CREATE INDEX session_task_open ON session_task (session_id) WHERE stage < 3;
CREATE INDEX session_task_done ON session_task (updated_at) WHERE stage = 3;

-- Each user's limits, as billing last published them; absent rows mean the configured defaults.
CREATE TABLE user_quota (
    user_id                    TEXT        PRIMARY KEY,
    max_active_sessions        INT         NOT NULL,
    session_seconds_per_month  BIGINT      NOT NULL,
    used_session_seconds       BIGINT      NOT NULL,
    as_of                      TIMESTAMPTZ NOT NULL
);
