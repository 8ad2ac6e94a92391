-- The audit trail: every action a user took that changes something, as the services that handled
-- it recorded it (audit.recorded on rc.audit-events). Append-only: rows are never updated; the
-- retention job deletes those past session.audit.retention.
CREATE TABLE audit_entry (
    event_id       UUID        PRIMARY KEY,
    user_id        TEXT        NOT NULL,
    at             TIMESTAMPTZ NOT NULL,
    service        TEXT        NOT NULL,
    action         TEXT        NOT NULL,
    -- The route's parameters, a JSON object; target_id is the main one (the session, repository...).
    target         TEXT        NOT NULL,
    target_id      TEXT,
    status         INTEGER     NOT NULL,
    outcome        TEXT        NOT NULL,
    client_address TEXT,
    user_agent     TEXT
);

CREATE INDEX audit_entry_user_at ON audit_entry (user_id, at DESC, event_id DESC);
CREATE INDEX audit_entry_at ON audit_entry (at);

CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only';
END;
$$;

CREATE TRIGGER audit_entry_never_updated
    BEFORE UPDATE ON audit_entry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();
