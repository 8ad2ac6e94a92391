package dev.remoteclaude.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A task as its owner sees it. Absent members are omitted: {@code result} and usage appear when the
 * run ended, {@code progress} while it runs, {@code queuePosition} while it waits. Lists carry only
 * the prompt's preview; a single task carries the whole prompt.
 *
 * @param queuePosition while QUEUED: 1 = next to run
 * @param cancelRequestedAt when the owner asked to cancel the run (the gateway confirms it)
 * @param failureCode the gateway's code when the run did not succeed (ERROR, TIMEOUT, ...)
 * @param failureReason why the task did not succeed
 * @param pullRequest the pull request the task asked for, once opened (or why it could not be)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TaskView(
    UUID id,
    UUID sessionId,
    TaskState state,
    Integer queuePosition,
    String prompt,
    String promptPreview,
    String model,
    Integer maxTurns,
    List<String> allowedTools,
    String permissionMode,
    Instant queuedAt,
    Instant dispatchedAt,
    Instant startedAt,
    Instant finishedAt,
    Instant cancelRequestedAt,
    String result,
    BigDecimal costUsd,
    Long inputTokens,
    Long outputTokens,
    Long cacheReadTokens,
    Long cacheCreationTokens,
    Integer turns,
    Long durationMs,
    String failureCode,
    String failureReason,
    Integer exitCode,
    Progress progress,
    PullRequest pullRequest) {

  /**
   * The task's pull request on the repository's forge.
   *
   * @param state OPEN, DRAFT, MERGED or CLOSED; absent when it could not be opened
   * @param failureCode FORGE_UNAVAILABLE, AUTH_FAILED, NO_CREDENTIAL, REJECTED or NOT_SUPPORTED
   * @param failureReason what the user can do about it
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record PullRequest(
      String url, Long number, String state, String failureCode, String failureReason) {}

  /** How far a running task has come. */
  public record Progress(
      Integer turns,
      String lastTool,
      BigDecimal costUsd,
      Long inputTokens,
      Long outputTokens,
      Instant at) {}
}
