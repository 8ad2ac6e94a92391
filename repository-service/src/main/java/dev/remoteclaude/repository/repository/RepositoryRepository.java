package dev.remoteclaude.repository.repository;

import dev.remoteclaude.repository.Repository;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
@WithSession
public class RepositoryRepository implements PanacheRepositoryBase<Repository, UUID> {

  public Uni<List<Repository>> listOwnedBy(String ownerId, int page, int size) {
    return find("ownerId", Sort.descending("createdAt").and("id"), ownerId)
        .page(Page.of(page, size))
        .list();
  }

  /** The owner's repository; null when it is missing or another user's. */
  public Uni<Repository> findOwned(String ownerId, UUID id) {
    return find("id = ?1 and ownerId = ?2", id, ownerId).firstResult();
  }

  /** The owner's repository registered under this normalized URL, or null. */
  public Uni<Repository> findByNormalizedUrl(String ownerId, String normalizedUrl) {
    return find("ownerId = ?1 and normalizedUrl = ?2", ownerId, normalizedUrl).firstResult();
  }

  /** Whether a failure is the unique index of (owner, normalized URL) refusing a second row. */
  public static boolean isDuplicate(Throwable failure) {
    for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
      if (t instanceof PgException pg && "23505".equals(pg.getSqlState())) {
        return true;
      }
    }
    return false;
  }
}
