package dev.remoteclaude.repository;

import dev.remoteclaude.api.Forge;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/**
 * A git repository a user registered; its credential is sealed ({@code
 * SecretContexts.repositoryCredential(id)}) and leaves this service only sealed, in its events.
 */
@Entity
@Table(name = "repository")
public class Repository extends PanacheEntityBase {
  @Id public UUID id;

  @Column(name = "owner_id", nullable = false)
  public String ownerId;

  @Column(nullable = false)
  public String url;

  /** {@code RepositoryUrls.normalize(url)}: unique per owner. */
  @Column(name = "normalized_url", nullable = false)
  public String normalizedUrl;

  @Column(name = "default_branch", nullable = false)
  public String defaultBranch;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false)
  public Forge forge;

  @Column(name = "sealed_credential")
  public String sealedCredential;

  @Column(name = "credential_set_at")
  public Instant credentialSetAt;

  /** The webhook secret, sealed ({@code SecretContexts.repositoryWebhookSecret(id)}), or null. */
  @Column(name = "sealed_webhook_secret")
  public String sealedWebhookSecret;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;

  @Column(name = "updated_at", nullable = false)
  public Instant updatedAt;

  @Override
  public String toString() {
    return "Repository[id="
        + id
        + ", url="
        + url
        + ", hasCredential="
        + (sealedCredential != null)
        + "]";
  }
}
