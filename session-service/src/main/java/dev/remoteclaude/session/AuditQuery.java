package dev.remoteclaude.session;

import java.time.Instant;

/**
 * Which of a user's audit entries a listing asks for; null fields do not filter.
 *
 * @param action any part of the action
 * @param targetId the id acted on
 */
public record AuditQuery(
    String userId,
    Instant from,
    Instant to,
    String action,
    String outcome,
    String service,
    String targetId) {}
