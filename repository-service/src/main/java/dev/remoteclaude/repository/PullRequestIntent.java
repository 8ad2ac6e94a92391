package dev.remoteclaude.repository;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/**
 * A pull request a task asked for (its branch was pushed), waiting to be opened on the forge: the
 * forge is called outside the transaction that recorded it, and again after a failure the forge may
 * recover from.
 */
@Entity
@Table(name = "pull_request_intent")
public class PullRequestIntent extends PanacheEntityBase {

  @Id public UUID id;

  @Column(name = "session_id", nullable = false)
  public UUID sessionId;

  @Column(name = "owner_id", nullable = false)
  public String ownerId;

  @Column(name = "task_id")
  public UUID taskId;

  @Column(nullable = false)
  public String branch;

  public String base;

  public String title;

  public String body;

  public Boolean draft;

  @Column(nullable = false)
  public int attempts;

  @Column(name = "next_attempt_at", nullable = false)
  public Instant nextAttemptAt;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;
}
