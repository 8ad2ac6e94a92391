-- When a spent budget paused the session: a hold by the monthly budget ends with that month.
ALTER TABLE session ADD COLUMN budget_held_at TIMESTAMPTZ;
