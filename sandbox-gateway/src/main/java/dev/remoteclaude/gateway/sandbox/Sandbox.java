package dev.remoteclaude.gateway.sandbox;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** The sandbox of one session, as the gateway knows it. */
@Entity
@Table(name = "sandbox")
public class Sandbox extends PanacheEntityBase {

  @Id
  @Column(name = "session_id")
  public UUID sessionId;

  @Column(name = "owner_id", nullable = false)
  public String ownerId;

  @Column(nullable = false)
  public String provider;

  @Column(name = "provider_id")
  public String providerId;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false)
  public SandboxState state;

  @Column(name = "repository_url")
  public String repositoryUrl;

  public String branch;

  @Column(name = "request_event_id")
  public UUID requestEventId;

  /** Claude's conversation id from the last task's result line: the next task resumes it. */
  @Column(name = "claude_session_id")
  public String claudeSessionId;

  @Column(name = "last_snapshot_id")
  public String lastSnapshotId;

  /**
   * The snapshot this sandbox is (or was last) restored from, until it has a snapshot of its own:
   * retention keeps it, a retried restore needs it.
   */
  @Column(name = "restore_snapshot_id")
  public String restoreSnapshotId;

  @Column(name = "failure_code")
  public String failureCode;

  @Column(name = "failure_reason")
  public String failureReason;

  /** The gateway instance working on it while PROVISIONING (see LeasedWork). */
  public String worker;

  /** The trace of the request that asked for the sandbox; provisioning continues it. */
  public String traceparent;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;

  @Column(name = "updated_at", nullable = false)
  public Instant updatedAt;

  public boolean usable() {
    return state == SandboxState.READY && providerId != null;
  }
}
