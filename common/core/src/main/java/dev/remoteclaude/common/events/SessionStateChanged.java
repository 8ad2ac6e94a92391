package dev.remoteclaude.common.events;

import java.time.Instant;

/**
 * A session moved from one state to another. Billing meters running and paused time from these, so
 * {@code at} is the exact moment of the transition and each transition is emitted once.
 */
public record SessionStateChanged(
    String from, String to, String reason, Instant at, Instant expiresAt) implements Event {}
