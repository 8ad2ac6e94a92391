-- The snapshot a sandbox was (or is being) restored from: kept while it may still be needed, like
-- last_snapshot_id, so that retention never deletes it.
ALTER TABLE sandbox ADD COLUMN restore_snapshot_id TEXT;
CREATE INDEX sandbox_last_snapshot ON sandbox (last_snapshot_id);
CREATE INDEX sandbox_restore_snapshot ON sandbox (restore_snapshot_id);

-- Every snapshot the gateway stored, per session (a session's sandbox may be replaced after a loss;
-- its snapshots stay the session's): what retention counts, and what is deleted when the session
-- ends. A row marked for deletion (delete_requested_at) is leased work: deleted at its provider,
-- then here; a failed deletion is tried again at next_attempt_at.
CREATE TABLE sandbox_snapshot (
    id                   UUID PRIMARY KEY,
    session_id           UUID        NOT NULL,
    sandbox_id           TEXT        NOT NULL,
    provider             TEXT        NOT NULL,
    snapshot_id          TEXT        NOT NULL,
    size_bytes           BIGINT,
    created_at           TIMESTAMPTZ NOT NULL,
    delete_requested_at  TIMESTAMPTZ,
    next_attempt_at      TIMESTAMPTZ,
    delete_attempts      INT         NOT NULL DEFAULT 0,
    last_error           TEXT,
    worker               TEXT,
    UNIQUE (provider, snapshot_id)
);

CREATE INDEX sandbox_snapshot_session ON sandbox_snapshot (session_id, created_at);
CREATE INDEX sandbox_snapshot_deleting ON sandbox_snapshot (next_attempt_at)
    WHERE delete_requested_at IS NOT NULL;
