package dev.remoteclaude.task;

import dev.remoteclaude.api.TaskState;
import dev.remoteclaude.common.events.PullRequestOption;
import dev.remoteclaude.common.events.TaskProgress;
import dev.remoteclaude.common.events.Usage;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * A prompt submitted to a session: queued, dispatched to the gateway, run by Claude Code, finished.
 * The transitions are guarded by the services, which hold the session's lock while they change it.
 */
@Entity
@Table(name = "task")
public class Task extends PanacheEntityBase {

  /** How much of the prompt events and lists carry. */
  public static final int PREVIEW_LENGTH = 200;

  @Id public UUID id;

  /** Submission order, assigned by the database; only queries read it. */
  @Column(insertable = false, updatable = false)
  public Long seq;

  @Column(name = "session_id", nullable = false)
  public UUID sessionId;

  @Column(name = "owner_id", nullable = false)
  public String ownerId;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false)
  public TaskState state;

  @Column(nullable = false)
  public String prompt;

  public String model;

  @Column(name = "max_turns")
  public Integer maxTurns;

  @JdbcTypeCode(SqlTypes.ARRAY)
  @Column(name = "allowed_tools")
  public List<String> allowedTools;

  @Column(name = "permission_mode")
  public String permissionMode;

  /** The cap on what the task's model answers may cost (USD), or null. */
  @Column(name = "max_cost_usd")
  public BigDecimal maxCostUsd;

  @Column(name = "queued_at", nullable = false)
  public Instant queuedAt;

  /** Whether the task asked to end in a pull request (the pr_* columns are its option). */
  @Column(name = "pr_requested", nullable = false)
  public boolean prRequested;

  @Column(name = "pr_base")
  public String prBase;

  @Column(name = "pr_draft")
  public Boolean prDraft;

  @Column(name = "pr_title")
  public String prTitle;

  @Column(name = "pr_body")
  public String prBody;

  @Column(name = "dispatched_at")
  public Instant dispatchedAt;

  @Column(name = "started_at")
  public Instant startedAt;

  @Column(name = "finished_at")
  public Instant finishedAt;

  @Column(name = "cancel_requested_at")
  public Instant cancelRequestedAt;

  public String result;

  @Column(name = "failure_code")
  public String failureCode;

  @Column(name = "failure_reason")
  public String failureReason;

  @Column(name = "exit_code")
  public Integer exitCode;

  @Column(name = "claude_session_id")
  public String claudeSessionId;

  @Column(name = "cost_usd")
  public BigDecimal costUsd;

  @Column(name = "input_tokens")
  public Long inputTokens;

  @Column(name = "output_tokens")
  public Long outputTokens;

  @Column(name = "cache_read_tokens")
  public Long cacheReadTokens;

  @Column(name = "cache_creation_tokens")
  public Long cacheCreationTokens;

  public Integer turns;

  @Column(name = "duration_ms")
  public Long durationMs;

  @Column(name = "usage_model")
  public String usageModel;

  @Column(name = "progress_turns")
  public Integer progressTurns;

  @Column(name = "progress_last_tool")
  public String progressLastTool;

  @Column(name = "progress_cost_usd")
  public BigDecimal progressCostUsd;

  @Column(name = "progress_input_tokens")
  public Long progressInputTokens;

  @Column(name = "progress_output_tokens")
  public Long progressOutputTokens;

  @Column(name = "progress_at")
  public Instant progressAt;

  /** The pull request the task asked for: its page on the forge, once opened. */
  @Column(name = "pr_url")
  public String pullRequestUrl;

  @Column(name = "pr_number")
  public Long pullRequestNumber;

  /** OPEN, DRAFT, MERGED or CLOSED. */
  @Column(name = "pr_state")
  public String pullRequestState;

  /** Why the pull request could not be opened (repository-service's code and reason). */
  @Column(name = "pr_failure_code")
  public String pullRequestFailureCode;

  @Column(name = "pr_failure_reason")
  public String pullRequestFailureReason;

  /** A new task at the end of its session's queue. */
  public static Task queued(
      UUID sessionId,
      String ownerId,
      String prompt,
      String model,
      Integer maxTurns,
      List<String> allowedTools,
      String permissionMode,
      BigDecimal maxCostUsd,
      Instant now) {
    Task task = new Task();
    task.id = UUID.randomUUID();
    task.sessionId = sessionId;
    task.ownerId = ownerId;
    task.state = TaskState.QUEUED;
    task.prompt = prompt;
    task.model = model;
    task.maxTurns = maxTurns;
    task.allowedTools = allowedTools == null ? null : List.copyOf(allowedTools);
    task.permissionMode = permissionMode;
    task.maxCostUsd = maxCostUsd;
    task.queuedAt = now;
    return task;
  }

  /** Records the task's pullRequest option (null: none). */
  public void requestPullRequest(PullRequestOption option) {
    prRequested = option != null;
    prBase = option == null ? null : option.base();
    prDraft = option == null ? null : option.draft();
    prTitle = option == null ? null : option.title();
    prBody = option == null ? null : option.body();
  }

  /** The task's pullRequest option, or null. */
  public PullRequestOption pullRequest() {
    return prRequested ? new PullRequestOption(prBase, prDraft, prTitle, prBody) : null;
  }

  public String promptPreview() {
    if (prompt.length() <= PREVIEW_LENGTH) {
      return prompt;
    }
    int end = PREVIEW_LENGTH;
    if (Character.isHighSurrogate(prompt.charAt(end - 1))) {
      end--;
    }
    return prompt.substring(0, end) + "…";
  }

  public void dispatch(Instant at) {
    state = TaskState.DISPATCHED;
    dispatchedAt = at;
  }

  public void start(Instant at) {
    state = TaskState.RUNNING;
    if (startedAt == null) {
      startedAt = at;
    }
  }

  public void progress(TaskProgress progress, Instant at) {
    progressTurns = progress.turns();
    progressLastTool = progress.lastTool();
    progressCostUsd = progress.costUsd();
    progressInputTokens = progress.inputTokens();
    progressOutputTokens = progress.outputTokens();
    progressAt = at;
  }

  /** Its pull request was opened or changed on the forge. */
  public void pullRequest(String url, long number, String state) {
    pullRequestUrl = url;
    pullRequestNumber = number;
    pullRequestState = state;
    pullRequestFailureCode = null;
    pullRequestFailureReason = null;
  }

  /** Its pull request could not be opened. */
  public void pullRequestFailed(String code, String reason) {
    pullRequestFailureCode = code;
    pullRequestFailureReason = reason;
  }

  public void requestCancel(Instant at) {
    cancelRequestedAt = at;
  }

  public void succeed(String resultText, Usage usage, String claudeSession, Instant at) {
    state = TaskState.SUCCEEDED;
    result = resultText;
    claudeSessionId = claudeSession;
    recordUsage(usage);
    finishedAt = at;
  }

  /** Ends the task in a state other than SUCCEEDED, saying why. */
  public void end(
      TaskState finalState, String code, String reason, Integer exit, Usage usage, Instant at) {
    state = finalState;
    failureCode = code;
    failureReason = reason;
    exitCode = exit;
    recordUsage(usage);
    finishedAt = at;
  }

  private void recordUsage(Usage usage) {
    if (usage == null) {
      return;
    }
    costUsd = usage.costUsd();
    inputTokens = usage.inputTokens();
    outputTokens = usage.outputTokens();
    cacheReadTokens = usage.cacheReadTokens();
    cacheCreationTokens = usage.cacheCreationTokens();
    turns = usage.turns();
    durationMs = usage.durationMs();
    usageModel = usage.model();
  }
}
