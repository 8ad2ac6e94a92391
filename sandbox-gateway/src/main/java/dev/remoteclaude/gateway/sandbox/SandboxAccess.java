package dev.remoteclaude.gateway.sandbox;

import dev.remoteclaude.common.events.SessionRequested;
import dev.remoteclaude.common.problem.ProblemException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.UUID;

/** The caller's sandbox, or a 404 exactly like a missing one when it belongs to someone else. */
@ApplicationScoped
public class SandboxAccess {

  /** The caller's sandbox with the request it was made from (environment still sealed). */
  public record Owned(Sandbox sandbox, Optional<SessionRequested> request) {}

  private final SandboxRepository sandboxes;

  public SandboxAccess(SandboxRepository sandboxes) {
    this.sandboxes = sandboxes;
  }

  /** A read-only view of the caller's sandbox. */
  public Uni<Sandbox> owned(UUID sessionId, String userId) {
    return ownedWithRequest(sessionId, userId).map(Owned::sandbox);
  }

  /**
   * The caller's sandbox and its stored request, in one query: what running a process in it needs.
   * The request is parsed only once the caller is known to own the sandbox.
   */
  public Uni<Owned> ownedWithRequest(UUID sessionId, String userId) {
    return sandboxes
        .findWithRequest(sessionId)
        .map(
            found -> {
              SandboxRepository.Stored stored =
                  found
                      .filter(s -> s.sandbox().ownerId.equals(userId))
                      .orElseThrow(() -> ProblemException.notFound("session " + sessionId));
              return new Owned(
                  stored.sandbox(),
                  Optional.ofNullable(stored.request()).map(SandboxRequests::parse));
            });
  }
}
