package dev.remoteclaude.session;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/**
 * A repository a user registered with repository-service, as its events told: a session on it is
 * cloned with its credential. {@link #sealedCredential} is sealed in the context {@code
 * SecretContexts.repositoryCredential(id)}.
 */
@Entity
@Table(name = "known_repository")
public class KnownRepository extends PanacheEntityBase {

  @Id public UUID id;

  @Column(name = "owner_id", nullable = false)
  public String ownerId;

  @Column(nullable = false)
  public String url;

  @Column(name = "normalized_url", nullable = false)
  public String normalizedUrl;

  @Column(name = "default_branch", nullable = false)
  public String defaultBranch;

  @Column(name = "sealed_credential")
  public String sealedCredential;

  @Column(name = "as_of", nullable = false)
  public Instant asOf;

  @Override
  public String toString() {
    return "KnownRepository[id=" + id + ", url=" + url + "]";
  }
}
