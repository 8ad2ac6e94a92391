package dev.remoteclaude.gateway.service;

import dev.remoteclaude.common.problem.ProblemException;
import dev.remoteclaude.gateway.Sandbox;
import dev.remoteclaude.gateway.repository.SandboxRepository;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

/** The caller's sandbox, or a 404 exactly like a missing one when it belongs to someone else. */
@ApplicationScoped
public class SandboxAccess {

  private final SandboxRepository sandboxes;

  public SandboxAccess(SandboxRepository sandboxes) {
    this.sandboxes = sandboxes;
  }

  @WithSession
  public Uni<Sandbox> owned(UUID sessionId, String userId) {
    return sandboxes
        .findById(sessionId)
        .map(
            sandbox -> {
              if (sandbox == null || !sandbox.ownerId.equals(userId)) {
                throw ProblemException.notFound("session " + sessionId);
              }
              return sandbox;
            });
  }
}
