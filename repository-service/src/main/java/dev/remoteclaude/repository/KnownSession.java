package dev.remoteclaude.repository;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/**
 * A session as this service knows it from events: its owner, its repository's URL (matched to the
 * owner's registered repository by normalized URL) and the branch last pushed from it.
 */
@Entity
@Table(name = "known_session")
public class KnownSession extends PanacheEntityBase {
  @Id
  @Column(name = "session_id")
  public UUID sessionId;

  @Column(name = "owner_id", nullable = false)
  public String ownerId;

  @Column(name = "repository_url", nullable = false)
  public String repositoryUrl;

  @Column(name = "normalized_url", nullable = false)
  public String normalizedUrl;

  @Column(name = "last_pushed_branch")
  public String lastPushedBranch;

  @Column(name = "updated_at", nullable = false)
  public Instant updatedAt;
}
