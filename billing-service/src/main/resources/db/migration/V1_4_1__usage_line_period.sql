-- The business metrics (BillingMetrics) add up the ledger's recent lines over all users.
CREATE INDEX usage_line_period ON usage_line (period_start);
