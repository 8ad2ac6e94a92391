-- Stripe: each user's customer and subscription, and their payment standing.
ALTER TABLE billing_account ADD COLUMN stripe_customer_id TEXT UNIQUE;
ALTER TABLE billing_account ADD COLUMN stripe_subscription_id TEXT;
-- The end of the grace period after a failed payment (null: none pending); a paid invoice clears it.
ALTER TABLE billing_account ADD COLUMN payment_due_by TIMESTAMPTZ;
-- The grace period ran out: session-service was told to refuse new sessions (QuotaChanged).
ALTER TABLE billing_account ADD COLUMN payment_blocked BOOLEAN NOT NULL DEFAULT false;
CREATE INDEX billing_account_payment_due ON billing_account (payment_due_by)
    WHERE payment_due_by IS NOT NULL AND NOT payment_blocked;

-- Stripe webhook events already handled: a redelivered event (same id) changes nothing.
CREATE TABLE stripe_event (
    event_id     TEXT         PRIMARY KEY,
    type         TEXT         NOT NULL,
    received_at  TIMESTAMPTZ  NOT NULL
);

-- Usage to report to Stripe as Billing Meter events, written in the transaction of the ledger line
-- it reports; a relay sends each row (identifier = the line's, so Stripe drops a resend) and marks
-- it sent. Rows of users without a Stripe customer are never written.
CREATE TABLE stripe_meter_outbox (
    usage_line_id    BIGINT       PRIMARY KEY REFERENCES usage_line (id),
    customer_id      TEXT         NOT NULL,
    identifier       TEXT         NOT NULL UNIQUE,
    -- Micro-dollars (USD x 1,000,000, rounded half-even): the unit of the Stripe meter.
    value            BIGINT       NOT NULL,
    occurred_at      TIMESTAMPTZ  NOT NULL,
    created_at       TIMESTAMPTZ  NOT NULL,
    attempts         INTEGER      NOT NULL DEFAULT 0,
    -- When the relay may take the row (again): now when written, later after a failure or while a
    -- relay holds it (a relay that dies mid-send leaves the row to be taken again after this).
    next_attempt_at  TIMESTAMPTZ  NOT NULL,
    last_error       TEXT,
    sent_at          TIMESTAMPTZ
);
CREATE INDEX stripe_meter_outbox_pending ON stripe_meter_outbox (next_attempt_at)
    WHERE sent_at IS NULL;
