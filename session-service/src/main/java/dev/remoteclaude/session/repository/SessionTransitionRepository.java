package dev.remoteclaude.session.repository;

import dev.remoteclaude.session.SessionTransition;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
@WithSession
public class SessionTransitionRepository implements PanacheRepositoryBase<SessionTransition, Long> {

  /** A session's transitions in the order they happened. */
  public Uni<List<SessionTransition>> history(UUID sessionId) {
    return list("sessionId = ?1 order by id", sessionId);
  }
}
