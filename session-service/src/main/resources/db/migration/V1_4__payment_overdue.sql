-- Billing says a user's subscription payment failed and its grace period ran out: no session may
-- start or resume until billing says a payment succeeded.
ALTER TABLE user_quota ADD COLUMN payment_overdue boolean NOT NULL DEFAULT false;
