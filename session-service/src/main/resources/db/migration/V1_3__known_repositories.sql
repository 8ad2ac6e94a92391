-- The read-model of the repositories users registered (from rc.repository-events): a session on a
-- registered repository is cloned with its credential. The credential stays as repository-service
-- sealed it (context repository/<id>/git); it is opened only to seal it again for a session.
CREATE TABLE known_repository (
    id                 UUID PRIMARY KEY,
    owner_id           TEXT        NOT NULL,
    url                TEXT        NOT NULL,
    normalized_url     TEXT        NOT NULL,
    default_branch     TEXT        NOT NULL,
    sealed_credential  TEXT,
    as_of              TIMESTAMPTZ NOT NULL
);
CREATE INDEX known_repository_owner_url ON known_repository (owner_id, normalized_url);

-- A session's git credential, sealed for the session (session/<id>/git), sent again when it is
-- provisioned again.
ALTER TABLE session ADD COLUMN git_credential TEXT;
