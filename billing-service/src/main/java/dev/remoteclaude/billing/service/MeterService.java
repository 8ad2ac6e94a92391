package dev.remoteclaude.billing.service;

import dev.remoteclaude.api.SessionState;
import dev.remoteclaude.billing.SessionInterval;
import dev.remoteclaude.billing.TokenCounts;
import dev.remoteclaude.billing.repository.ModelUsageRepository;
import dev.remoteclaude.billing.repository.SessionIntervalRepository;
import dev.remoteclaude.common.events.ModelUsage;
import dev.remoteclaude.common.events.SessionStateChanged;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Turns session state changes into metered intervals. */
@ApplicationScoped
public class MeterService {

  private final SessionIntervalRepository intervals;
  private final ModelUsageRepository tokens;

  public MeterService(SessionIntervalRepository intervals, ModelUsageRepository tokens) {
    this.intervals = intervals;
    this.tokens = tokens;
  }

  /** Records the tokens of one model answer (the inbox makes a redelivered event count once). */
  public Uni<Void> recordModelUsage(
      UUID eventId, String ownerId, UUID sessionId, ModelUsage usage) {
    return tokens.record(eventId, ownerId, sessionId, usage);
  }

  /** A user's tokens per model since {@code since}. */
  public Uni<Map<String, TokenCounts>> tokensByModel(String ownerId, Instant since) {
    return Panache.withSession(() -> tokens.byModelSince(ownerId, since));
  }

  /**
   * Closes the open interval at the change's instant and opens the next, unless the session's new
   * state is final: then nothing runs and nothing is kept.
   */
  public Uni<Void> record(UUID sessionId, String ownerId, SessionStateChanged change) {
    return intervals
        .findOpen(sessionId)
        .onItem()
        .ifNotNull()
        .invoke(open -> open.endedAt = change.at())
        .chain(
            () -> {
              if (SessionState.named(change.to()).map(SessionState::isFinal).orElse(false)) {
                return Uni.createFrom().voidItem();
              }
              SessionInterval next = new SessionInterval();
              next.sessionId = sessionId;
              next.ownerId = ownerId;
              next.state = change.to();
              next.startedAt = change.at();
              return intervals.persist(next).replaceWithVoid();
            });
  }

  /** Seconds per state for a user's sessions since {@code since}, counted up to {@code now}. */
  public Uni<Map<String, Long>> secondsByState(String ownerId, Instant since, Instant now) {
    return intervals.listOwnedSince(ownerId, since).map(list -> sum(list, since, now));
  }

  private static Map<String, Long> sum(List<SessionInterval> list, Instant since, Instant now) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (SessionInterval interval : list) {
      Instant from = interval.startedAt.isBefore(since) ? since : interval.startedAt;
      Instant to = interval.endedAt == null ? now : interval.endedAt;
      long seconds = Math.max(0, Duration.between(from, to).toSeconds());
      out.merge(interval.state, seconds, Long::sum);
    }
    return out;
  }
}
