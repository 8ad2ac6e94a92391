package dev.remoteclaude.repository.repository;

import dev.remoteclaude.repository.PullRequest;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
@WithSession
public class PullRequestRepository implements PanacheRepositoryBase<PullRequest, UUID> {

  /** A session's pull requests, newest first. */
  public Uni<List<PullRequest>> listOfSession(UUID sessionId) {
    return find("sessionId", Sort.descending("createdAt").and("id"), sessionId).list();
  }

  /** The stored pull request of a repository with the forge's number, or null. */
  public Uni<PullRequest> findByNumber(UUID repositoryId, long number) {
    return find("repositoryId = ?1 and number = ?2", repositoryId, number).firstResult();
  }
}
