package dev.remoteclaude.gateway.sandbox;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** What the other features may know and change of a sandbox; its tables stay this feature's. */
@ApplicationScoped
public class Sandboxes {

  private final SandboxRepository sandboxes;
  private final SandboxRequests requests;

  public Sandboxes(SandboxRepository sandboxes, SandboxRequests requests) {
    this.sandboxes = sandboxes;
    this.requests = requests;
  }

  /** The sandbox, read on the current Hibernate session (and transaction), or null. */
  public Uni<Sandbox> find(UUID sessionId) {
    return sandboxes.findById(sessionId);
  }

  /**
   * The sandbox's owner, or null: a single read on a connection of its own, for callers outside any
   * transaction (never inside one: it would hold a second connection).
   */
  public Uni<String> ownerOf(UUID sessionId) {
    return sandboxes.ownerOf(sessionId);
  }

  /** The environment of the session's processes, opened. Never log it. */
  public Uni<Map<String, String>> environment(UUID sessionId) {
    return requests
        .find(sessionId)
        .map(request -> request.map(r -> requests.environment(sessionId, r)).orElseGet(Map::of));
  }

  /** Keeps Claude's conversation id so the session's next task resumes it; inside a transaction. */
  public Uni<Void> rememberConversation(UUID sessionId, String claudeSessionId) {
    if (claudeSessionId == null) {
      return Uni.createFrom().voidItem();
    }
    return sandboxes
        .lock(sessionId)
        .invoke(
            sandbox -> {
              if (sandbox != null) {
                sandbox.claudeSessionId = claudeSessionId;
                sandbox.updatedAt = Instant.now();
              }
            })
        .replaceWithVoid();
  }
}
