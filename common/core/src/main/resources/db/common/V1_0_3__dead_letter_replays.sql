-- rc-common: records of this service's dead-letter topic (rc.dlq.<service>) that an operator
-- replayed (see DeadLetterAdminResource). A Kafka record cannot be marked, so the replay is kept
-- here and shown with the record in the operators' list.
-- outcome: HANDLED (this service's consumer took it, or had already) or FAILED (it failed again)

CREATE TABLE dead_letter_replay (
    dlq_topic        TEXT        NOT NULL,
    dlq_partition    INTEGER     NOT NULL,
    dlq_offset       BIGINT      NOT NULL,
    replays          INTEGER     NOT NULL,
    last_replayed_at TIMESTAMPTZ NOT NULL,
    last_replayed_by TEXT        NOT NULL,
    last_outcome     TEXT        NOT NULL,
    PRIMARY KEY (dlq_topic, dlq_partition, dlq_offset)
);
