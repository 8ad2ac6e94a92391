-- Repositories a user registered, with their git credential sealed (AES-GCM) by the platform key.
CREATE TABLE repository (
    id                 UUID PRIMARY KEY,
    owner_id           TEXT        NOT NULL,
    url                TEXT        NOT NULL,
    default_branch     TEXT        NOT NULL,
    sealed_credential  TEXT,
    created_at         TIMESTAMPTZ NOT NULL,
    UNIQUE (owner_id, url)
);
