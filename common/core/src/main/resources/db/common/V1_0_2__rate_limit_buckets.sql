-- rc-common: the token buckets of the rate limits (see dev.remoteclaude.common.ratelimit), kept here
-- so that every replica of a service counts a user's requests in the same bucket. Bucket4j's own
-- layout: the key ("<class>:<quota>/<window>:<user>"), the bucket's serialized state, and when
-- (epoch milliseconds) a bucket untouched since is full again and may be deleted.

CREATE TABLE rate_limit_bucket (
    id          TEXT   PRIMARY KEY,
    state       BYTEA,
    expires_at  BIGINT
);

CREATE INDEX rate_limit_bucket_expires_at ON rate_limit_bucket (expires_at);
