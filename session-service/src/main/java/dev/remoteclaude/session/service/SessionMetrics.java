package dev.remoteclaude.session.service;

import dev.remoteclaude.api.SessionState;
import dev.remoteclaude.session.Session;
import dev.remoteclaude.session.repository.SessionRepository;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sessions as Prometheus sees them: how many are in each state ({@code rc_sessions{state}}) and how
 * many users have one ({@code rc_active_users}), from a snapshot one query refreshes every {@code
 * rc.metrics.refresh-interval} (a scrape costs no query); how long sessions take to start ({@code
 * rc_session_start_seconds}), how often a start fails ({@code rc_session_start_failures_total}) and
 * how long sessions last ({@code rc_session_duration_seconds}), observed as sessions move. Tags are
 * states, providers and outcomes, never a session or user id.
 */
@ApplicationScoped
public class SessionMetrics {

  private final SessionRepository sessions;
  private final MeterRegistry registry;
  private final Map<SessionState, AtomicLong> byState = new EnumMap<>(SessionState.class);
  private final AtomicLong activeUsers = new AtomicLong();

  public SessionMetrics(SessionRepository sessions, MeterRegistry registry) {
    this.sessions = sessions;
    this.registry = registry;
    for (SessionState state : SessionState.values()) {
      AtomicLong count = new AtomicLong();
      byState.put(state, count);
      Gauge.builder("rc.sessions", count, AtomicLong::get)
          .description("Sessions in each state")
          .tag("state", state.name())
          .register(registry);
    }
    Gauge.builder("rc.active.users", activeUsers, AtomicLong::get)
        .description("Users with at least one session that is not over")
        .register(registry);
  }

  @Scheduled(
      every = "${rc.metrics.refresh-interval:15s}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  Uni<Void> refresh() {
    return sessions
        .countByState()
        .invoke(
            counts -> byState.forEach((state, count) -> count.set(counts.getOrDefault(state, 0L))))
        .chain(sessions::countActiveOwners)
        .invoke(activeUsers::set)
        .onFailure()
        .invoke(failure -> Log.debugf("session metrics not refreshed: %s", failure.getMessage()))
        .onFailure()
        .recoverWithNull()
        .replaceWithVoid();
  }

  /** Observes a session's move to {@code to} at {@code at}. */
  void moved(Session session, SessionState from, SessionState to, Instant at) {
    String provider = session.provider == null ? "unknown" : session.provider;
    if (from == SessionState.PROVISIONING && to == SessionState.READY) {
      Timer.builder("rc.session.start")
          .description("From a session's request to its sandbox being ready")
          .tag("provider", provider)
          .publishPercentileHistogram()
          .register(registry)
          .record(between(session.createdAt, at));
    } else if (from == SessionState.PROVISIONING && to == SessionState.FAILED) {
      Counter.builder("rc.session.start.failures")
          .description("Sessions whose sandbox could not be provisioned")
          .tag("provider", provider)
          .register(registry)
          .increment();
    }
    if (to.isFinal()) {
      Timer.builder("rc.session.duration")
          .description("From a session's request to its end")
          .tag("outcome", to.name())
          .publishPercentileHistogram()
          .register(registry)
          .record(between(session.createdAt, at));
    }
  }

  private static Duration between(Instant from, Instant to) {
    return from == null || to.isBefore(from) ? Duration.ZERO : Duration.between(from, to);
  }
}
