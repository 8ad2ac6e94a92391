-- A user's own settings: the provider their sessions get when a create request names none.
CREATE TABLE user_settings (
    user_id          TEXT        PRIMARY KEY,
    default_provider TEXT,
    updated_at       TIMESTAMPTZ NOT NULL
);
