package dev.remoteclaude.billing;

/** A plan's monthly allowances, as configured. */
public record Plan(String name, int maxActiveSessions, long sessionSecondsPerMonth) {}
