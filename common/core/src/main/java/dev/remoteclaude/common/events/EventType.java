package dev.remoteclaude.common.events;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Every event of the platform: its wire name, its payload record and the topic that carries it. */
public enum EventType {
  SESSION_REQUESTED("session.requested", SessionRequested.class, Topics.SESSIONS),
  SESSION_PAUSE_REQUESTED("session.pause-requested", SessionPauseRequested.class, Topics.SESSIONS),
  SESSION_RESUME_REQUESTED(
      "session.resume-requested", SessionResumeRequested.class, Topics.SESSIONS),
  SESSION_TERMINATE_REQUESTED(
      "session.terminate-requested", SessionTerminateRequested.class, Topics.SESSIONS),
  SESSION_SNAPSHOT_REQUESTED(
      "session.snapshot-requested", SessionSnapshotRequested.class, Topics.SESSIONS),
  SESSION_STATE_CHANGED("session.state-changed", SessionStateChanged.class, Topics.SESSIONS),
  SESSION_NOTICE("session.notice", SessionNotice.class, Topics.SESSIONS),

  SANDBOX_PROVISIONED("sandbox.provisioned", SandboxProvisioned.class, Topics.GATEWAY),
  SANDBOX_FAILED("sandbox.failed", SandboxFailed.class, Topics.GATEWAY),
  SANDBOX_PAUSED("sandbox.paused", SandboxPaused.class, Topics.GATEWAY),
  SANDBOX_RESUMED("sandbox.resumed", SandboxResumed.class, Topics.GATEWAY),
  SANDBOX_LOST("sandbox.lost", SandboxLost.class, Topics.GATEWAY),
  SANDBOX_TERMINATED("sandbox.terminated", SandboxTerminated.class, Topics.GATEWAY),
  SANDBOX_SNAPSHOTTED("sandbox.snapshotted", SandboxSnapshotted.class, Topics.GATEWAY),
  SANDBOX_ACTIVITY("sandbox.activity", SandboxActivity.class, Topics.GATEWAY),
  TASK_STARTED("task.started", TaskStarted.class, Topics.GATEWAY),
  TASK_PROGRESS("task.progress", TaskProgress.class, Topics.GATEWAY),
  TASK_COMPLETED("task.completed", TaskCompleted.class, Topics.GATEWAY),
  TASK_FAILED("task.failed", TaskFailed.class, Topics.GATEWAY),
  MODEL_USAGE("model.usage", ModelUsage.class, Topics.GATEWAY),
  GIT_PUSHED("git.pushed", GitPushed.class, Topics.GATEWAY),
  BUDGET_EXCEEDED("budget.exceeded", BudgetExceeded.class, Topics.GATEWAY),

  TASK_QUEUED("task.queued", TaskQueued.class, Topics.TASKS),
  TASK_DISPATCHED("task.dispatched", TaskDispatched.class, Topics.TASKS),
  TASK_CANCEL_REQUESTED("task.cancel-requested", TaskCancelRequested.class, Topics.TASKS),
  TASK_CANCELLED("task.cancelled", TaskCancelled.class, Topics.TASKS),

  REPOSITORY_REGISTERED("repository.registered", RepositoryRegistered.class, Topics.REPOSITORIES),
  REPOSITORY_UPDATED("repository.updated", RepositoryUpdated.class, Topics.REPOSITORIES),
  REPOSITORY_REMOVED("repository.removed", RepositoryRemoved.class, Topics.REPOSITORIES),
  PULL_REQUEST_OPENED("pr.opened", PullRequestOpened.class, Topics.REPOSITORIES),
  PULL_REQUEST_UPDATED("pr.updated", PullRequestUpdated.class, Topics.REPOSITORIES),
  PULL_REQUEST_FAILED("pr.failed", PullRequestFailed.class, Topics.REPOSITORIES),

  QUOTA_CHANGED("billing.quota-changed", QuotaChanged.class, Topics.BILLING),
  BUDGET_CHANGED("billing.budget-changed", BudgetChanged.class, Topics.BILLING),
  ANTHROPIC_KEY_CHANGED("billing.anthropic-key-changed", AnthropicKeyChanged.class, Topics.BILLING),

  AUDIT_RECORDED("audit.recorded", AuditRecorded.class, Topics.AUDIT);

  /** The payload version this code writes; see {@link EventEnvelope#schemaVersion()}. */
  public static final int SCHEMA_VERSION = 1;

  private static final Map<String, EventType> BY_NAME =
      Arrays.stream(values()).collect(Collectors.toMap(t -> t.wireName, Function.identity()));
  private static final Map<Class<?>, EventType> BY_CLASS =
      Arrays.stream(values()).collect(Collectors.toMap(t -> t.payloadType, Function.identity()));

  private final String wireName;
  private final Class<? extends Event> payloadType;
  private final String topic;

  EventType(String wireName, Class<? extends Event> payloadType, String topic) {
    this.wireName = wireName;
    this.payloadType = payloadType;
    this.topic = topic;
  }

  public String wireName() {
    return wireName;
  }

  public Class<? extends Event> payloadType() {
    return payloadType;
  }

  public String topic() {
    return topic;
  }

  /** The type of a wire name; empty for a type this code does not know (a newer producer). */
  public static Optional<EventType> ofWireName(String name) {
    return Optional.ofNullable(BY_NAME.get(name));
  }

  public static EventType of(Event payload) {
    EventType type = BY_CLASS.get(payload.getClass());
    if (type == null) {
      throw new IllegalArgumentException("unregistered event " + payload.getClass().getName());
    }
    return type;
  }
}
