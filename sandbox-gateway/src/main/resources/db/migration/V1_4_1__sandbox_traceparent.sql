-- The trace of the request that asked for the sandbox (W3C traceparent of session.requested), so
-- its provisioning, which a worker runs later, continues that trace.
ALTER TABLE sandbox ADD COLUMN traceparent TEXT;
