-- Users' own Anthropic API keys: sealed with the platform's secret key (context
-- user/<id>/anthropic-key), never stored or sent in clear. last4 is what the user is shown. The
-- gateway's model proxy gets the sealed value in billing.anthropic-key-changed.
CREATE TABLE anthropic_key (
    user_id     TEXT        PRIMARY KEY,
    sealed_key  TEXT        NOT NULL,
    last4       TEXT        NOT NULL,
    set_at      TIMESTAMPTZ NOT NULL
);
