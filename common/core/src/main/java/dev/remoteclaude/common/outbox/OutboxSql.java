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

  /**
   * The oldest rows still to publish, at most {@code $2} per key and {@code $1} in all, leaving out
   * the keys whose first row waits for its retry time. Dead rows are not part of any key's queue.
   */
  static final String SELECT_BATCH =
      "SELECT position, topic, message_key, event_type, payload, attempts FROM outbox_event"
          + " WHERE position IN ("
          + "   SELECT position FROM ("
          + "     SELECT position, row_number() OVER w AS rank,"
          + "            first_value(retry_at) OVER w AS head_retry_at"
          + "     FROM outbox_event WHERE published_at IS NULL AND dead_at IS NULL"
          + "     WINDOW w AS (PARTITION BY message_key ORDER BY position)"
          + "   ) pending"
          + "   WHERE rank <= $2 AND (head_retry_at IS NULL OR head_retry_at <= clock_timestamp())"
          + "   ORDER BY position LIMIT $1)"
          + " ORDER BY position FOR UPDATE SKIP LOCKED";

  /** A failed row: its new attempt count, the error, when to try again, and whether it is dead. */
  static final String MARK_FAILED =
      "UPDATE outbox_event SET attempts = $2, last_error = $3,"
          + " retry_at = clock_timestamp() + $4 * interval '1 millisecond',"
          + " dead_at = CASE WHEN $5 THEN clock_timestamp() END"
          + " WHERE position = $1";

  /**
   * For the metrics: rows waiting to be published, the age in seconds of the oldest of them (null
   * when none waits), and dead rows. Reads the partial index of unpublished rows only.
   */
  static final String BACKLOG =
      "SELECT count(*) FILTER (WHERE dead_at IS NULL) AS backlog,"
          + " extract(epoch FROM clock_timestamp() - min(created_at) FILTER (WHERE dead_at IS NULL))"
          + " AS oldest_seconds,"
          + " count(*) FILTER (WHERE dead_at IS NOT NULL) AS dead"
          + " FROM outbox_event WHERE published_at IS NULL";

  static final String COUNT_DEAD = "SELECT count(*) FROM outbox_event WHERE dead_at IS NOT NULL";

  static final String SELECT_DEAD =
      "SELECT position, event_id, topic, message_key, event_type, octet_length(payload) AS size,"
          + " created_at, attempts, last_error, dead_at FROM outbox_event"
          + " WHERE dead_at IS NOT NULL ORDER BY position LIMIT $1 OFFSET $2";

  /**
   * Puts a dead row back in its key's queue, as a new row would be; the notification wakes a relay
   * of this schema (on any replica).
   */
  static final String REPLAY_DEAD =
      "UPDATE outbox_event SET dead_at = NULL, attempts = 0, retry_at = NULL"
          + " WHERE position = $1 AND dead_at IS NOT NULL RETURNING position";

  static final String NOTIFY = "SELECT pg_notify('" + NOTIFY_CHANNEL + "', current_schema())";

  static final String MARK_PUBLISHED =
      "UPDATE outbox_event SET published_at = clock_timestamp() WHERE position = ANY($1)";

  static final String PRUNE_OUTBOX =
      "DELETE FROM outbox_event WHERE published_at < now() - $1 * interval '1 second'";

  static final String PRUNE_INBOX =
      "DELETE FROM inbox_event WHERE handled_at < now() - $1 * interval '1 second'";
}
