-- What task-service knows of each session, from rc.session-events (SessionStateChanged): who owns
-- it and whether its queue may run. Its row is the lock every change to the session's tasks takes.
CREATE TABLE known_session (
    id          UUID        PRIMARY KEY,
    owner_id    TEXT        NOT NULL,
    state       TEXT        NOT NULL,
    reason      TEXT,
    changed_at  TIMESTAMPTZ NOT NULL
);

-- Tasks: the per-session FIFO queue (state QUEUED, ordered by seq), the one running task, and the
-- history with results and usage as the gateway reported them.
CREATE TABLE task (
    id                      UUID        PRIMARY KEY,
    -- Submission order: FIFO within a session, newest first in the history.
    seq                     BIGINT      GENERATED ALWAYS AS IDENTITY UNIQUE,
    session_id              UUID        NOT NULL REFERENCES known_session (id),
    owner_id                TEXT        NOT NULL,
    state                   TEXT        NOT NULL CHECK (state IN ('QUEUED', 'DISPATCHED', 'RUNNING',
                                            'SUCCEEDED', 'FAILED', 'CANCELLED', 'INTERRUPTED')),
    prompt                  TEXT        NOT NULL,
    model                   TEXT,
    max_turns               INTEGER,
    allowed_tools           TEXT[],
    permission_mode         TEXT,
    queued_at               TIMESTAMPTZ NOT NULL,
    dispatched_at           TIMESTAMPTZ,
    started_at              TIMESTAMPTZ,
    finished_at             TIMESTAMPTZ,
    cancel_requested_at     TIMESTAMPTZ,
    result                  TEXT,
    failure_code            TEXT,
    failure_reason          TEXT,
    exit_code               INTEGER,
    claude_session_id       TEXT,
    -- Usage of the finished run, as reported (numeric without scale keeps the cost exactly).
    cost_usd                NUMERIC,
    input_tokens            BIGINT,
    output_tokens           BIGINT,
    cache_read_tokens       BIGINT,
    cache_creation_tokens   BIGINT,
    turns                   INTEGER,
    duration_ms             BIGINT,
    usage_model             TEXT,
    -- Progress of the run so far (while DISPATCHED or RUNNING).
    progress_turns          INTEGER,
    progress_last_tool      TEXT,
    progress_cost_usd       NUMERIC,
    progress_input_tokens   BIGINT,
    progress_output_tokens  BIGINT,
    progress_at             TIMESTAMPTZ
);

-- History of a session, newest first.
CREATE INDEX task_session_seq ON task (session_id, seq DESC);

-- The queue: the next task of a session and how many wait.
CREATE INDEX task_session_queue ON task (session_id, seq) WHERE state = 'QUEUED';

-- The database itself refuses a second dispatched or running task for a session. Dispatch never
-- relies on it (it holds the session's row lock), but a bug would fail loudly instead of running
-- two Claude processes in one sandbox.
CREATE UNIQUE INDEX task_one_active_per_session ON task (session_id)
    WHERE state IN ('DISPATCHED', 'RUNNING');
