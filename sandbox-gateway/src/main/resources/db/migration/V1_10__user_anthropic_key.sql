-- Users' own Anthropic API keys as billing last published them (billing.anthropic-key-changed, the
-- newest by as_of): sealed with the platform's secret key (context user/<id>/anthropic-key), opened
-- only to send a model request; a null sealed_key records a removal.
CREATE TABLE user_anthropic_key (
    owner_id    TEXT        PRIMARY KEY,
    sealed_key  TEXT,
    last4       TEXT,
    as_of       TIMESTAMPTZ NOT NULL
);

-- Set by the model proxy when Anthropic refused a run's request made with its user's own key (401):
-- the key's last four characters. The run then fails with a reason naming the user's key.
ALTER TABLE task_run ADD COLUMN refused_key_last4 TEXT;
