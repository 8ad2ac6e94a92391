package dev.remoteclaude.session;

import dev.remoteclaude.api.SessionState;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * A user's sandboxed Claude Code session: what it was created with, where it is in its life, and
 * the clocks (activity, idle warning, expiry, snapshots) the timers work from. Everything the
 * timers need lives here, so they are rebuilt from the database after a restart.
 */
@Entity
@Table(name = "session")
public class Session extends PanacheEntityBase {

  @Id public UUID id;

  @Column(name = "owner_id", nullable = false)
  public String ownerId;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false)
  public SessionState state;

  /** Why the session is in its state (the reason of the last transition; FAILED's cause). */
  @Column(name = "state_reason")
  public String stateReason;

  @Column(name = "state_changed_at", nullable = false)
  public Instant stateChangedAt;

  /** In PAUSING, RESUMING or TERMINATING: when the gateway is asked again (null: per config). */
  @Column(name = "transition_retry_at")
  public Instant transitionRetryAt;

  /** How many times the gateway was asked again in the current transitional state. */
  @Column(name = "transition_retries", nullable = false)
  public int transitionRetries;

  @Column(name = "repository_url", nullable = false)
  public String repositoryUrl;

  /** Null: the repository's default branch. */
  public String branch;

  @Column(nullable = false)
  public String provider;

  /** The provider's id of the current sandbox, once provisioned. */
  @Column(name = "sandbox_id")
  public String sandboxId;

  @Column(name = "idle_timeout_seconds", nullable = false)
  public long idleTimeoutSeconds;

  @Column(name = "max_lifetime_seconds", nullable = false)
  public long maxLifetimeSeconds;

  /**
   * Variable name to value sealed with SecretBox, in the context {@link
   * dev.remoteclaude.common.crypto.SecretContexts#sessionEnvironment}.
   */
  @JdbcTypeCode(SqlTypes.JSON)
  @Column(nullable = false, columnDefinition = "jsonb")
  public Map<String, String> environment;

  /**
   * The git token the repository is cloned with, sealed in the context {@link
   * dev.remoteclaude.common.crypto.SecretContexts#sessionGitCredential}; null for none.
   */
  @Column(name = "git_credential")
  public String gitCredential;

  @JdbcTypeCode(SqlTypes.ARRAY)
  @Column(name = "setup_commands", nullable = false, columnDefinition = "text[]")
  public List<String> setupCommands;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;

  @Column(name = "last_activity_at", nullable = false)
  public Instant lastActivityAt;

  /** When the session ends unless activity or the user extends it. */
  @Column(name = "expires_at", nullable = false)
  public Instant expiresAt;

  /** The hard end: creation plus the maximum lifetime; {@link #expiresAt} never passes it. */
  @Column(name = "lifetime_ends_at", nullable = false)
  public Instant lifetimeEndsAt;

  /** Set while an idle warning is out: when the session will be paused. */
  @Column(name = "idle_pause_at")
  public Instant idlePauseAt;

  /** The {@link #expiresAt} a lifetime warning was given for. */
  @Column(name = "lifetime_warned_for")
  public Instant lifetimeWarnedFor;

  /** Clients attached to the session's stream, as the gateway last reported. */
  @Column(name = "attached_clients", nullable = false)
  public int attachedClients;

  /** Commands running in the sandbox, as the gateway last reported. */
  @Column(name = "running_commands", nullable = false)
  public int runningCommands;

  /** When the next snapshot is due (READY sessions on providers that can snapshot). */
  @Column(name = "next_snapshot_at")
  public Instant nextSnapshotAt;

  @Column(name = "last_snapshot_id")
  public String lastSnapshotId;

  @Column(name = "last_snapshot_at")
  public Instant lastSnapshotAt;

  @Column(name = "recovery_attempts", nullable = false)
  public int recoveryAttempts;

  /**
   * The budget whose spending paused the session (SESSION or MONTHLY), or null: it is not resumed
   * until billing publishes the cap raised.
   */
  @Column(name = "budget_scope")
  public String budgetScope;

  /** The cap of {@link #budgetScope} when it was spent. */
  @Column(name = "budget_cap_usd")
  public java.math.BigDecimal budgetCapUsd;

  /** When {@link #budgetScope} was spent: a MONTHLY hold ends when a later month begins. */
  @Column(name = "budget_held_at")
  public java.time.Instant budgetHeldAt;

  public Duration idleTimeout() {
    return Duration.ofSeconds(idleTimeoutSeconds);
  }

  public Duration maxLifetime() {
    return Duration.ofSeconds(maxLifetimeSeconds);
  }

  /** Something happened in the session: the idle clock restarts and the expiry moves forward. */
  public void touch(Instant now, Duration activityWindow) {
    lastActivityAt = lastActivityAt == null ? now : Times.max(lastActivityAt, now);
    autoExtend(now, activityWindow);
  }

  /** Keeps {@link #expiresAt} at least {@code window} ahead of {@code now}, up to the lifetime. */
  public void autoExtend(Instant now, Duration window) {
    Instant wanted = Times.min(now.plus(window), lifetimeEndsAt);
    expiresAt = expiresAt == null ? wanted : Times.max(expiresAt, wanted);
  }

  /** Extends {@link #expiresAt} by {@code duration} from now or from itself, whichever is later. */
  public void extend(Instant now, Duration duration) {
    expiresAt = Times.min(Times.max(expiresAt, now).plus(duration), lifetimeEndsAt);
  }

  public boolean reachedMaxLifetime() {
    return !expiresAt.isBefore(lifetimeEndsAt);
  }
}
