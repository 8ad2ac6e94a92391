package dev.remoteclaude.task.service;

import dev.remoteclaude.api.TaskState;
import dev.remoteclaude.task.Task;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;

/**
 * Task runs as Prometheus sees them: {@code rc_task_duration_seconds} by outcome (the state the run
 * ended in: SUCCEEDED, FAILED, CANCELLED, INTERRUPTED), from the run's start (or its dispatch, for
 * a run that never reported starting) to its end, as the gateway reported them.
 */
@ApplicationScoped
public class TaskMetrics {

  private final MeterRegistry registry;

  public TaskMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Observes a run that ended in {@code end} at {@code at}. */
  void ended(Task task, TaskState end, Instant at) {
    Instant from = task.startedAt != null ? task.startedAt : task.dispatchedAt;
    Duration took = from == null || at.isBefore(from) ? Duration.ZERO : Duration.between(from, at);
    Timer.builder("rc.task.duration")
        .description("How long task runs took, by how they ended")
        .tag("outcome", end.name())
        .publishPercentileHistogram()
        .register(registry)
        .record(took);
  }
}
