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

/** A pull (merge) request opened on a repository's forge for a session's branch. */
@Entity
@Table(name = "pull_request")
public class PullRequest extends PanacheEntityBase {

  /** Where a pull request stands on its forge. */
  public enum State {
    OPEN,
    DRAFT,
    MERGED,
    CLOSED
  }

  @Id public UUID id;

  @Column(name = "session_id", nullable = false)
  public UUID sessionId;

  @Column(name = "repository_id", nullable = false)
  public UUID repositoryId;

  @Column(name = "owner_id", nullable = false)
  public String ownerId;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false)
  public Forge forge;

  /** The forge's number (GitLab's iid, Bitbucket's id). */
  @Column(nullable = false)
  public long number;

  @Column(nullable = false)
  public String url;

  @Column(nullable = false)
  public String title;

  @Column(nullable = false)
  public String head;

  @Column(nullable = false)
  public String base;

  @Column(nullable = false)
  public boolean draft;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false)
  public State state;

  @Column(name = "task_id")
  public UUID taskId;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;

  @Column(name = "updated_at", nullable = false)
  public Instant updatedAt;
}
