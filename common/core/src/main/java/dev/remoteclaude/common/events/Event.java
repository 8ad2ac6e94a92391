package dev.remoteclaude.common.events;

/**
 * An event payload. Each implementation is registered once in {@link EventType}, which names it on
 * the wire and says which service's topic carries it.
 */
public interface Event {}
