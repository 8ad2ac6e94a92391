package dev.remoteclaude.billing;

/** A user's tokens of one model over a period, by kind. */
public record TokenCounts(long input, long output, long cacheRead, long cacheCreation) {}
