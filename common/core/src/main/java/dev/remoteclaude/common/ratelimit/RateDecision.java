package dev.remoteclaude.common.ratelimit;

import dev.remoteclaude.common.problem.ProblemException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a rate limit said about one request, and the headers that tell the client (the IETF
 * RateLimit fields, draft-ietf-httpapi-ratelimit-headers: {@code RateLimit-Policy:
 * "tasks";q=120;w=60} and {@code RateLimit: "tasks";r=119;t=60}).
 *
 * @param allowed whether the request may go on
 * @param limited the class of the request
 * @param quota requests allowed per window
 * @param window the window
 * @param remaining requests left in the current window
 * @param resetSeconds seconds until the quota is back in full
 * @param retryAfterSeconds for a refused request, seconds until one more is allowed (0 otherwise)
 */
public record RateDecision(
    boolean allowed,
    RateLimitClass limited,
    long quota,
    Duration window,
    long remaining,
    long resetSeconds,
    long retryAfterSeconds) {

  public static final String POLICY_HEADER = "RateLimit-Policy";
  public static final String LIMIT_HEADER = "RateLimit";
  public static final String RETRY_AFTER_HEADER = "Retry-After";

  /** {@code "<class>";q=<quota>;w=<window in seconds>} */
  public String policyHeader() {
    return "\"" + limited.configName() + "\";q=" + quota + ";w=" + window.toSeconds();
  }

  /** {@code "<class>";r=<remaining>;t=<seconds until reset>} */
  public String limitHeader() {
    return "\"" + limited.configName() + "\";r=" + remaining + ";t=" + resetSeconds;
  }

  /** The headers of a response to the request (Retry-After too when it is refused). */
  public Map<String, List<String>> headers() {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    headers.put(POLICY_HEADER, List.of(policyHeader()));
    headers.put(LIMIT_HEADER, List.of(limitHeader()));
    if (!allowed) {
      headers.put(RETRY_AFTER_HEADER, List.of(Long.toString(retryAfterSeconds)));
    }
    return headers;
  }

  /** The 429 problem of a refused request (its {@code Retry-After} comes with it). */
  public ProblemException problem() {
    return new ProblemException(
        429,
        "rate-limited",
        "Too Many Requests",
        "too many "
            + limited.configName()
            + " requests: at most "
            + quota
            + " per "
            + window.toSeconds()
            + " s; try again in "
            + retryAfterSeconds
            + " s",
        Map.of(
            ProblemException.RETRY_AFTER,
            retryAfterSeconds,
            "limit",
            limited.configName(),
            "quota",
            quota,
            "windowSeconds",
            window.toSeconds()));
  }
}
