package dev.remoteclaude.gateway.work;

import java.util.UUID;

/**
 * Asks whichever instance works on a key to stop it, with a code and a reason its job reports.
 * Travels between instances as JSON on {@link LeasedWork#STOP_CHANNEL}.
 */
public record StopSignal(String kind, UUID key, String code, String reason) {}
