-- billing's newest budget of each user (billing.budget-changed, the newest by as_of; the event's
-- payload as JSON). A budget.exceeded that arrives after billing already published the cap raised
-- (the gateway stopped the task on the old cap) must not hold the session.
CREATE TABLE user_budget (
    user_id  TEXT        PRIMARY KEY,
    budget   TEXT        NOT NULL,
    as_of    TIMESTAMPTZ NOT NULL
);
