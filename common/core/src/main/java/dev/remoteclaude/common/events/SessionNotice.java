package dev.remoteclaude.common.events;

import java.time.Instant;

/**
 * Something the user should see on the session's stream: an idle warning (with the time the pause
 * will happen), its cancellation, a lifetime warning or end, an extension, a resume for a queued
 * task that the user's quota refused.
 */
public record SessionNotice(String kind, String message, Instant at, Instant deadline)
    implements Event {
  public static final String IDLE_WARNING = "IDLE_WARNING";
  public static final String IDLE_WARNING_CANCELLED = "IDLE_WARNING_CANCELLED";
  public static final String LIFETIME_WARNING = "LIFETIME_WARNING";
  public static final String LIFETIME_ENDED = "LIFETIME_ENDED";
  public static final String EXTENDED = "EXTENDED";
  public static final String RESUME_REFUSED = "RESUME_REFUSED";
}
