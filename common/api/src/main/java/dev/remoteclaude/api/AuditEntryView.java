package dev.remoteclaude.api;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * One action on a user's audit trail.
 *
 * @param action the method and the route's template, e.g. {@code POST /api/v1/sessions/{id}/pause}
 * @param target the route's parameters, e.g. {@code {id: <the session id>}}
 * @param outcome {@code succeeded}, {@code refused} (4xx) or {@code failed} (5xx)
 */
@Schema(name = "AuditEntry")
public record AuditEntryView(
    UUID id,
    Instant at,
    String action,
    Map<String, String> target,
    int status,
    String outcome,
    String service,
    String clientAddress,
    String userAgent) {}
