package dev.remoteclaude.common.outbox;

/** The relay's statements; the tables come from db/common/V1_0__outbox_inbox.sql. */
final class OutboxSql {
  private OutboxSql() {}

  /** NOTIFY channel of the outbox trigger (one per database; the payload is the schema). */
  static final String NOTIFY_CHANNEL = "rc_outbox";

  static final String CURRENT_SCHEMA = "SELECT current_schema()";

  /** One relay per schema at a time; released when the round's transaction ends. */
  static final String TRY_LOCK =
      "SELECT pg_try_advisory_xact_lock(hashtext(current_schema() || '.rc_outbox'))";

  static final String SELECT_BATCH =
      "SELECT position, topic, message_key, event_type, payload FROM outbox_event"
          + " WHERE published_at IS NULL ORDER BY position LIMIT $1 FOR UPDATE SKIP LOCKED";

  static final String MARK_PUBLISHED =
      "UPDATE outbox_event SET published_at = clock_timestamp() WHERE position = ANY($1)";

  static final String PRUNE_OUTBOX =
      "DELETE FROM outbox_event WHERE published_at < now() - $1 * interval '1 second'";

  static final String PRUNE_INBOX =
      "DELETE FROM inbox_event WHERE handled_at < now() - $1 * interval '1 second'";
}
