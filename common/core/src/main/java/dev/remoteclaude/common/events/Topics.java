package dev.remoteclaude.common.events;

/**
 * Kafka topics: one per producing service. Every record's key is the session id (the envelope's
 * subject), so all events of one session land on one partition and are consumed in order. The few
 * user-scoped events (quota) are keyed by the user id, repository events by the repository id (pull
 * request events, which belong to a session, by the session id).
 */
public final class Topics {
  /** Written only by session-service. */
  public static final String SESSIONS = "rc.session-events";

  /** Written only by sandbox-gateway. */
  public static final String GATEWAY = "rc.gateway-events";

  /** Written only by task-service. */
  public static final String TASKS = "rc.task-events";

  /** Written only by repository-service. */
  public static final String REPOSITORIES = "rc.repository-events";

  /** Written only by billing-service. */
  public static final String BILLING = "rc.billing-events";

  /** Written by every service: the audit trail, keyed by the user id; session-service keeps it. */
  public static final String AUDIT = "rc.audit-events";

  /** Dead-letter topic of a consuming service: {@code rc.dlq.<service>}. */
  public static String deadLetter(String service) {
    return "rc.dlq." + service;
  }

  private Topics() {}
}
