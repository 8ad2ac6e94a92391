package dev.remoteclaude.common.events;

import java.time.Instant;

/**
 * A user's limits and what they used this calendar month (UTC), as billing counted them at {@code
 * at}: published when billing first sees the user, when their plan changes and as their session
 * seconds grow. Keyed and subjected by the user id; a consumer keeps the newest by {@code at}.
 */
public record QuotaChanged(
    int maxActiveSessions, long sessionSecondsPerMonth, long usedSessionSeconds, Instant at)
    implements Event {}
