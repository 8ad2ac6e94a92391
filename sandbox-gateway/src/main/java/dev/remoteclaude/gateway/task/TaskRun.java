package dev.remoteclaude.gateway.task;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.common.events.TaskDispatched;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/** A Claude run the gateway started for a dispatched task. */
@Entity
@Table(name = "task_run")
public class TaskRun extends PanacheEntityBase {

  @Id
  @Column(name = "task_id")
  public UUID taskId;

  @Column(name = "session_id", nullable = false)
  public UUID sessionId;

  @Column(name = "owner_id", nullable = false)
  public String ownerId;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false)
  public TaskRunState state;

  /** The TaskDispatched payload as JSON. */
  @Column(nullable = false)
  public String dispatch;

  @Column(name = "cancel_requested", nullable = false)
  public boolean cancelRequested;

  /** The gateway instance working on it (see LeasedWork). */
  public String worker;

  @Column(name = "started_at")
  public Instant startedAt;

  @Column(name = "finished_at")
  public Instant finishedAt;

  /** The task's cost cap (USD), or null; the model proxy enforces it. */
  @Column(name = "max_cost_usd", updatable = false)
  public BigDecimal maxCostUsd;

  /** Set by the model proxy (only) when it refused a request of the run for its cost cap. */
  @Column(name = "budget_exceeded", insertable = false, updatable = false)
  public boolean budgetExceeded;

  /** Which budget stopped the run (TASK, SESSION or MONTHLY), set with {@link #budgetExceeded}. */
  @Column(name = "budget_scope", insertable = false, updatable = false)
  public String budgetScope;

  /** The cap of the budget that stopped the run. */
  @Column(name = "budget_cap_usd", insertable = false, updatable = false)
  public BigDecimal budgetCapUsd;

  /**
   * Set by the model proxy (only) when Anthropic refused the user's own key for a request of the
   * run: the key's last four characters.
   */
  @Column(name = "refused_key_last4", insertable = false, updatable = false)
  public String refusedKeyLast4;

  /** The dispatch as stored. */
  public TaskDispatched dispatched() {
    try {
      return EventCodec.mapper().readValue(dispatch, TaskDispatched.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored dispatch is unreadable", e);
    }
  }

  static String encode(TaskDispatched task) {
    try {
      return EventCodec.mapper().writeValueAsString(task);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
