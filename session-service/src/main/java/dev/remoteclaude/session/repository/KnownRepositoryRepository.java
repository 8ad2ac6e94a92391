package dev.remoteclaude.session.repository;

import dev.remoteclaude.session.KnownRepository;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

@ApplicationScoped
@WithSession
public class KnownRepositoryRepository implements PanacheRepositoryBase<KnownRepository, UUID> {

  private static final String UPSERT =
      "INSERT INTO known_repository (id, owner_id, url, normalized_url, default_branch,"
          + " sealed_credential, as_of) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
          + " ON CONFLICT (id) DO UPDATE SET url = EXCLUDED.url,"
          + " normalized_url = EXCLUDED.normalized_url, default_branch = EXCLUDED.default_branch,"
          + " sealed_credential = EXCLUDED.sealed_credential, as_of = EXCLUDED.as_of"
          + " WHERE known_repository.as_of <= EXCLUDED.as_of"
          + " AND known_repository.owner_id = EXCLUDED.owner_id";

  /** Stores a repository's state unless a newer one is stored already. */
  public Uni<Void> store(KnownRepository repository) {
    return getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(UPSERT)
                    .setParameter(1, repository.id)
                    .setParameter(2, repository.ownerId)
                    .setParameter(3, repository.url)
                    .setParameter(4, repository.normalizedUrl)
                    .setParameter(5, repository.defaultBranch)
                    .setParameter(6, repository.sealedCredential)
                    .setParameter(7, repository.asOf)
                    .executeUpdate())
        .replaceWithVoid();
  }

  /** Forgets a removed repository. */
  public Uni<Void> forget(UUID id, String ownerId) {
    return delete("id = ?1 and ownerId = ?2", id, ownerId).replaceWithVoid();
  }

  /** The owner's repository; null when it is missing or another user's. */
  public Uni<KnownRepository> findOwned(String ownerId, UUID id) {
    return find("id = ?1 and ownerId = ?2", id, ownerId).firstResult();
  }

  /** The owner's most recently changed repository with this normalized URL, or null. */
  public Uni<KnownRepository> findByNormalizedUrl(String ownerId, String normalizedUrl) {
    return find(
            "ownerId = ?1 and normalizedUrl = ?2", Sort.descending("asOf"), ownerId, normalizedUrl)
        .firstResult();
  }
}
