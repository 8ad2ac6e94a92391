package dev.remoteclaude.common.events;

import java.time.Instant;

/**
 * A user's limits and what they used this calendar month (UTC), as billing counted them at {@code
 * at}: published when billing first sees the user, when their plan changes, as their session
 * seconds grow and when their payment standing changes. Keyed and subjected by the user id; a
 * consumer keeps the newest by {@code at}.
 *
 * @param paymentOverdue a payment of the user's subscription failed and the grace period after it
 *     ran out: no session may start or resume until a payment succeeds (false in events published
 *     before the field existed)
 */
public record QuotaChanged(
    int maxActiveSessions,
    long sessionSecondsPerMonth,
    long usedSessionSeconds,
    Instant at,
    boolean paymentOverdue)
    implements Event {}
