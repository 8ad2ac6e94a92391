package dev.remoteclaude.common.events;

import java.time.Instant;

/** A user's limits changed (plan change). Keyed and subjected by the user id. */
public record QuotaChanged(
    int maxActiveSessions, long sessionSecondsPerMonth, long usedSessionSeconds, Instant at)
    implements Event {}
