package dev.remoteclaude.repository.repository;

import dev.remoteclaude.repository.Repository;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
@WithSession
public class RepositoryRepository implements PanacheRepositoryBase<Repository, UUID> {

  public Uni<List<Repository>> listOwnedBy(String ownerId, int page, int size) {
    return find("ownerId", Sort.descending("createdAt"), ownerId).page(Page.of(page, size)).list();
  }
}
