-- The git proxy's view of each session: the token its sandbox authenticates with (a SHA-256 hash;
-- the token itself lives only in the sandbox's origin URL), the upstream repository and its
-- credential (sealed, as session-service sent it), and the task push the gateway is making, if any
-- (so the push is announced with that task). Written when the sandbox is provisioned, deleted when
-- the session ends.
CREATE TABLE git_session (
    session_id            uuid PRIMARY KEY,
    token_hash            bytea NOT NULL UNIQUE,
    owner_id              text NOT NULL,
    repository_url        text NOT NULL,
    git_credential        text,
    pending_task_id       uuid,
    pending_branch        text,
    pending_pull_request  text,
    created_at            timestamptz NOT NULL
);
