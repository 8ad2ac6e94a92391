-- The gateway's view of each session's sandbox: where it lives, what state it is in, which gateway
-- instance is working on it (lease), and Claude's conversation id for --resume.
CREATE TABLE sandbox (
    session_id         UUID PRIMARY KEY,
    owner_id           TEXT        NOT NULL,
    provider           TEXT        NOT NULL,
    provider_id        TEXT,
    state              TEXT        NOT NULL,
    repository_url     TEXT,
    branch             TEXT,
    request_event_id   UUID,
    claude_session_id  TEXT,
    last_snapshot_id   TEXT,
    failure_code       TEXT,
    failure_reason     TEXT,
    worker             TEXT,
    lease_until        TIMESTAMPTZ,
    created_at         TIMESTAMPTZ NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL
);

CREATE INDEX sandbox_leased ON sandbox (state, lease_until);

-- The pending session requests (the full SessionRequested event, env values still sealed) while
-- a sandbox is provisioned; deleted once it is READY or FAILED.
CREATE TABLE sandbox_request (
    session_id  UUID PRIMARY KEY REFERENCES sandbox (session_id) ON DELETE CASCADE,
    request     TEXT NOT NULL
);

-- One row per Claude run the gateway started.
CREATE TABLE task_run (
    task_id           UUID PRIMARY KEY,
    session_id        UUID        NOT NULL,
    owner_id          TEXT        NOT NULL,
    state             TEXT        NOT NULL,
    dispatch          TEXT        NOT NULL,
    cancel_requested  BOOLEAN     NOT NULL DEFAULT FALSE,
    worker            TEXT,
    lease_until       TIMESTAMPTZ,
    started_at        TIMESTAMPTZ,
    finished_at       TIMESTAMPTZ
);

CREATE INDEX task_run_session ON task_run (session_id);
CREATE INDEX task_run_active ON task_run (state, lease_until);

-- The durable output log of every session: gap-free, increasing seq per session.
CREATE TABLE session_log_head (
    session_id  UUID PRIMARY KEY,
    last_seq    BIGINT NOT NULL
);

CREATE TABLE session_event (
    session_id  UUID        NOT NULL,
    seq         BIGINT      NOT NULL,
    type        TEXT        NOT NULL,
    task_id     UUID,
    at          TIMESTAMPTZ NOT NULL,
    data        TEXT        NOT NULL,
    PRIMARY KEY (session_id, seq)
);

-- Live gateway instances; rows below that name a worker whose lease ran out are reclaimed.
CREATE TABLE gateway_worker (
    worker       TEXT PRIMARY KEY,
    lease_until  TIMESTAMPTZ NOT NULL
);

-- What keeps a session from being idle, per gateway instance: attached stream clients and running
-- commands. Counted across replicas for SandboxActivity events.
CREATE TABLE activity_holder (
    id          TEXT PRIMARY KEY,
    session_id  UUID        NOT NULL,
    kind        TEXT        NOT NULL,
    worker      TEXT        NOT NULL,
    since       TIMESTAMPTZ NOT NULL
);

CREATE INDEX activity_holder_session ON activity_holder (session_id);
