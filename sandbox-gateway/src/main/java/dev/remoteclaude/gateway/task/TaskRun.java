package dev.remoteclaude.gateway.task;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A Claude run the gateway started for a dispatched task. */
@Entity
@Table(name = "task_run")
public class TaskRun extends PanacheEntityBase {

  public static final String STARTING = "STARTING";
  public static final String RUNNING = "RUNNING";
  public static final String FINISHED = "FINISHED";

  @Id
  @Column(name = "task_id")
  public UUID taskId;

  @Column(name = "session_id", nullable = false)
  public UUID sessionId;

  @Column(name = "owner_id", nullable = false)
  public String ownerId;

  @Column(nullable = false)
  public String state;

  /** The TaskDispatched payload as JSON. */
  @Column(nullable = false)
  public String dispatch;

  @Column(name = "cancel_requested", nullable = false)
  public boolean cancelRequested;

  public String worker;

  @Column(name = "lease_until")
  public Instant leaseUntil;

  @Column(name = "started_at")
  public Instant startedAt;

  @Column(name = "finished_at")
  public Instant finishedAt;
}
