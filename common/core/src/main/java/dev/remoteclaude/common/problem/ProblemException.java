package dev.remoteclaude.common.problem;

import java.util.Map;

/**
 * A domain error that becomes a problem+json response. Messages are written for the user: they must
 * never carry secrets, stack traces or class names.
 */
public class ProblemException extends RuntimeException {

  /** Extension member (seconds) that also becomes a {@code Retry-After} header. */
  public static final String RETRY_AFTER = "retryAfterSeconds";

  private final int status;
  private final String slug;
  private final String title;
  private final Map<String, Object> extensions;

  public ProblemException(
      int status, String slug, String title, String detail, Map<String, Object> extensions) {
    super(detail, null, false, false);
    this.status = status;
    this.slug = slug;
    this.title = title;
    this.extensions = extensions == null ? Map.of() : Map.copyOf(extensions);
  }

  public static ProblemException notFound(String what) {
    return new ProblemException(404, "not-found", "Not Found", what + " was not found", null);
  }

  public static ProblemException conflict(String detail) {
    return new ProblemException(409, "conflict", "Conflict", detail, null);
  }

  public static ProblemException badRequest(String field, String message) {
    return new ProblemException(
        400,
        "invalid-request",
        "Invalid request",
        field + ": " + message,
        Map.of("errors", java.util.List.of(new Problem.FieldError(field, message))));
  }

  public static ProblemException tooManyRequests(String detail, Map<String, Object> extensions) {
    return new ProblemException(429, "too-many-requests", "Too Many Requests", detail, extensions);
  }

  public static ProblemException quotaExceeded(
      int status, String limit, Object allowed, Object current, String detail) {
    return new ProblemException(
        status,
        "quota-exceeded",
        "Quota exceeded",
        detail,
        Map.of("limit", limit, "allowed", allowed, "current", current));
  }

  public static ProblemException unavailable(String detail) {
    return new ProblemException(503, "unavailable", "Service Unavailable", detail, null);
  }

  public int status() {
    return status;
  }

  public String slug() {
    return slug;
  }

  public String title() {
    return title;
  }

  public Map<String, Object> extensions() {
    return extensions;
  }
}
