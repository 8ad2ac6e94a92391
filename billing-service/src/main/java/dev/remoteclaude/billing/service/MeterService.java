package dev.remoteclaude.billing.service;

import dev.remoteclaude.api.SessionState;
import dev.remoteclaude.billing.SessionInterval;
import dev.remoteclaude.billing.repository.SessionIntervalRepository;
import dev.remoteclaude.common.events.ModelUsage;
import dev.remoteclaude.common.events.SandboxProvisioned;
import dev.remoteclaude.common.events.SessionStateChanged;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

/**
 * Turns events into metered intervals and ledger lines, and keeps users' quotas published. Every
 * method runs in the inbox's transaction of the event it handles.
 */
@ApplicationScoped
public class MeterService {

  private static final String PAUSED = SessionState.PAUSED.name();

  private final SessionIntervalRepository intervals;
  private final LedgerService ledger;
  private final AccountService accounts;

  public MeterService(
      SessionIntervalRepository intervals, LedgerService ledger, AccountService accounts) {
    this.intervals = intervals;
    this.ledger = ledger;
    this.accounts = accounts;
  }

  /** Charges the tokens of one model answer; a user seen for the first time gets their quota. */
  public Uni<Void> recordModelUsage(
      UUID eventId, String ownerId, UUID sessionId, ModelUsage usage) {
    return ledger
        .recordModelUsage(eventId, ownerId, sessionId, usage)
        .chain(() -> accounts.seen(ownerId))
        .chain(created -> created ? accounts.publishQuota(ownerId) : Uni.createFrom().voidItem());
  }

  /** Remembers which provider runs a session's sandbox (its compute rate). */
  public Uni<Void> recordProvisioned(UUID sessionId, SandboxProvisioned provisioned) {
    return ledger.recordProvider(sessionId, provisioned.provider());
  }

  /**
   * Closes the open interval at the change's instant and charges it, then opens the next unless the
   * session's new state is final. The user's quota is published when billing first sees them and
   * whenever an interval that counts towards session hours (any state but PAUSED) closes.
   */
  public Uni<Void> record(
      UUID eventId, UUID sessionId, String ownerId, SessionStateChanged change) {
    return accounts
        .seen(ownerId)
        .chain(
            created ->
                intervals
                    .findOpen(sessionId)
                    .chain(open -> close(eventId, open, change))
                    .call(() -> open(sessionId, ownerId, change))
                    .chain(
                        closedCounted ->
                            created || closedCounted
                                ? accounts.publishQuota(ownerId)
                                : Uni.createFrom().voidItem()));
  }

  /** Closes and charges the open interval, if any; true if it counts towards session hours. */
  private Uni<Boolean> close(UUID eventId, SessionInterval open, SessionStateChanged change) {
    if (open == null) {
      return Uni.createFrom().item(false);
    }
    open.endedAt = change.at();
    return ledger.recordCompute(eventId, open).replaceWith(!PAUSED.equals(open.state));
  }

  private Uni<Void> open(UUID sessionId, String ownerId, SessionStateChanged change) {
    if (SessionState.named(change.to()).map(SessionState::isFinal).orElse(false)) {
      return Uni.createFrom().voidItem();
    }
    SessionInterval next = new SessionInterval();
    next.sessionId = sessionId;
    next.ownerId = ownerId;
    next.state = change.to();
    next.startedAt = change.at();
    return intervals.persist(next).replaceWithVoid();
  }
}
