package dev.remoteclaude.task.config;

import dev.remoteclaude.api.Paging;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;

@ConfigMapping(prefix = "task")
public interface TaskConfig {

  /** How many tasks may wait (QUEUED) in one session's queue; one more answers 429. */
  @WithDefault("100")
  int maxQueuedPerSession();

  /** Page size of the task history when the caller names none. */
  @WithDefault("20")
  @Min(1)
  @Max(Paging.MAX_SIZE)
  int defaultPageSize();

  /** Largest page of the task history; bigger requests are clamped to it. */
  @WithDefault("100")
  @Min(1)
  @Max(Paging.MAX_SIZE)
  int maxPageSize();

  /**
   * Longest a task read may wait for the task to finish ({@code GET /tasks/{id}?waitSeconds=N});
   * longer requests are clamped to it.
   */
  @WithDefault("10s")
  Duration maxReadWait();

  /** How often a waiting task read looks again. */
  @WithDefault("100ms")
  Duration readWaitPoll();
}
