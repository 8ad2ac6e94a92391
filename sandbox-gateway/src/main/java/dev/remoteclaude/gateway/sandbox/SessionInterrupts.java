package dev.remoteclaude.gateway.sandbox;

import io.smallrye.mutiny.Uni;
import java.util.UUID;

/**
 * What runs in a session's sandbox and must stop before the sandbox pauses or ends (the task
 * feature's runs). Declared here so the sandbox lifecycle does not depend on the features that use
 * sandboxes.
 */
public interface SessionInterrupts {

  /** Asks every unfinished run of the session to stop; inside the caller's transaction. */
  Uni<Void> interrupt(UUID sessionId, String reason);
}
