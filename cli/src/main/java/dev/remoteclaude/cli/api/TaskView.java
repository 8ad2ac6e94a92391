package dev.remoteclaude.cli.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** A task as task-service returns it (the fields the CLI shows). */
@JsonIgnoreProperties(ignoreUnknown = true)
public record TaskView(
    UUID id,
    UUID sessionId,
    String state,
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
    Progress progress) {

  /** States of a task that ended. */
  public static final Set<String> FINISHED =
      Set.of("SUCCEEDED", "FAILED", "CANCELLED", "INTERRUPTED");

  /** How far a running task has come. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Progress(
      Integer turns,
      String lastTool,
      BigDecimal costUsd,
      Long inputTokens,
      Long outputTokens,
      Instant at) {}

  public static TaskView of(JsonNode node) {
    return Json.convert(node, TaskView.class);
  }

  public boolean isFinished() {
    return FINISHED.contains(state);
  }

  /** The prompt, or its preview in lists. */
  public String promptText() {
    return prompt != null ? prompt : promptPreview;
  }
}
