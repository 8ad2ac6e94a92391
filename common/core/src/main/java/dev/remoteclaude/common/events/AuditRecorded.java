package dev.remoteclaude.common.events;

import java.time.Instant;
import java.util.Map;

/**
 * One action a user took that changes something, as the service that handled it saw it: every
 * authenticated {@code POST}, {@code PUT}, {@code PATCH} and {@code DELETE} of the API, whatever
 * its outcome. Published by every service on {@link Topics#AUDIT}, keyed and subjected by the user
 * id; session-service keeps the trail ({@code GET /api/v1/audit}). Request bodies are never
 * recorded, so no secret a request carried (a credential, a key, an environment value) reaches the
 * trail.
 *
 * @param action the method and the route's template, e.g. {@code POST /api/v1/sessions/{id}/pause}
 * @param target the route's parameters, e.g. {@code {id: <the session id>}}
 * @param status the HTTP status the user was answered
 * @param outcome {@code succeeded} (2xx, 3xx), {@code refused} (4xx) or {@code failed} (5xx)
 * @param service the service that handled the request
 * @param clientAddress the caller's address as the edge or the Ingress saw it
 * @param userAgent the caller's User-Agent, shortened
 */
public record AuditRecorded(
    String action,
    Map<String, String> target,
    int status,
    String outcome,
    String service,
    String clientAddress,
    String userAgent,
    Instant at)
    implements Event {

  public static final String SUCCEEDED = "succeeded";
  public static final String REFUSED = "refused";
  public static final String FAILED = "failed";

  /** The outcome an HTTP status stands for. */
  public static String outcomeOf(int status) {
    if (status >= 500) {
      return FAILED;
    }
    return status >= 400 ? REFUSED : SUCCEEDED;
  }
}
