package dev.remoteclaude.billing.service;

import dev.remoteclaude.billing.SessionInterval;
import dev.remoteclaude.billing.UsageKind;
import dev.remoteclaude.billing.UsageLine;
import dev.remoteclaude.billing.UsageReport;
import dev.remoteclaude.billing.config.BillingConfig;
import dev.remoteclaude.billing.repository.SessionIntervalRepository;
import dev.remoteclaude.billing.repository.SessionProviderRepository;
import dev.remoteclaude.billing.repository.StripeMeterOutboxRepository;
import dev.remoteclaude.billing.repository.UsageLineRepository;
import dev.remoteclaude.common.events.ModelUsage;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

/**
 * The usage ledger: writes priced lines from events (inside the inbox's transaction, so each event
 * is charged once), and answers what a user, session or task used and spent. Open intervals are
 * counted up to the moment asked, priced like the line their end will write.
 */
@ApplicationScoped
public class LedgerService {

  private static final String PAUSED = "PAUSED";

  private final UsageLineRepository lines;
  private final SessionIntervalRepository intervals;
  private final SessionProviderRepository providers;
  private final RateCard rates;
  private final StripeMeterOutboxRepository meterOutbox;
  private final boolean reportToStripe;

  public LedgerService(
      UsageLineRepository lines,
      SessionIntervalRepository intervals,
      SessionProviderRepository providers,
      RateCard rates,
      StripeMeterOutboxRepository meterOutbox,
      BillingConfig config) {
    this.lines = lines;
    this.intervals = intervals;
    this.providers = providers;
    this.rates = rates;
    this.meterOutbox = meterOutbox;
    this.reportToStripe = config.stripe().enabled();
  }

  /**
   * Writes a line and, with Stripe configured and a Stripe customer for the user, its meter event
   * for the relay to send ({@link StripeMeterRelay}), in the same transaction.
   */
  private Uni<Void> insert(UUID eventId, String userId, UsageLine line) {
    Uni<Void> written = lines.insert(eventId, userId, line);
    return reportToStripe
        ? written.call(() -> meterOutbox.enqueue(eventId, line.periodStart(), Instant.now()))
        : written;
  }

  // --- Writes (in the caller's transaction) ----------------------------------------------------

  /** Remembers the provider of a session's sandbox, for the rate of its compute lines. */
  public Uni<Void> recordProvider(UUID sessionId, String provider) {
    return providers.store(sessionId, provider);
  }

  /** Charges a closed interval: one line per UTC day it touched, all from the closing event. */
  public Uni<Void> recordCompute(UUID eventId, SessionInterval closed) {
    return providers
        .find(closed.sessionId)
        .chain(
            provider -> {
              List<UsageLine> pieces =
                  computeLines(
                      closed.sessionId,
                      closed.state,
                      provider.orElse(null),
                      closed.startedAt,
                      closed.endedAt,
                      false);
              return Multi.createFrom()
                  .iterable(pieces)
                  .onItem()
                  .transformToUniAndConcatenate(piece -> insert(eventId, closed.ownerId, piece))
                  .collect()
                  .last()
                  .replaceWithVoid();
            });
  }

  /**
   * Charges one model answer: at the model's price, or at none when it was asked with the user's
   * own Anthropic key (the user pays Anthropic; the tokens are still metered).
   */
  public Uni<Void> recordModelUsage(UUID eventId, String userId, UUID sessionId, ModelUsage u) {
    BigDecimal amount =
        u.userKey()
            ? BigDecimal.ZERO
            : rates.model(
                u.model(),
                u.inputTokens(),
                u.outputTokens(),
                u.cacheReadTokens(),
                u.cacheCreationTokens());
    return insert(
        eventId,
        userId,
        new UsageLine(
            sessionId,
            u.taskId(),
            UsageKind.MODEL,
            u.model(),
            null,
            u.at(),
            u.at(),
            0,
            u.inputTokens(),
            u.outputTokens(),
            u.cacheReadTokens(),
            u.cacheCreationTokens(),
            amount,
            false));
  }

  // --- Reads ------------------------------------------------------------------------------------

  /** A user's usage over [from, to), open intervals counted up to {@code now}. */
  public Uni<UsageReport> report(String userId, Instant from, Instant to, Instant now) {
    return Panache.withSession(
        () ->
            lines
                .daily(userId, from, to)
                .chain(
                    stored ->
                        openLines(userId, from, to.isBefore(now) ? to : now)
                            .map(
                                open -> {
                                  List<UsageLine> all = new ArrayList<>(stored);
                                  all.addAll(open);
                                  all.sort(Comparator.comparing(UsageLine::periodStart));
                                  return new UsageReport(from, to, all);
                                })));
  }

  /**
   * Session seconds a user used since {@code since} (every state but PAUSED), open intervals up to
   * {@code now}. Runs in the caller's session.
   */
  public Uni<Long> usedSessionSeconds(String userId, Instant since, Instant now) {
    return lines
        .usedSessionSeconds(userId, since)
        .chain(
            stored ->
                openLines(userId, since, now)
                    .map(
                        open ->
                            stored
                                + open.stream()
                                    .filter(l -> !PAUSED.equals(l.detail()))
                                    .mapToLong(UsageLine::seconds)
                                    .sum()));
  }

  /** What a user spent since {@code since}, open intervals up to {@code now}. */
  public Uni<BigDecimal> userSpendSince(String userId, Instant since, Instant now) {
    return Panache.withSession(
        () ->
            lines
                .userSpend(userId, since)
                .chain(stored -> openLines(userId, since, now).map(open -> plus(stored, open))));
  }

  /** What a session spent since {@code since}, its open interval up to {@code now}. */
  public Uni<BigDecimal> sessionSpendSince(UUID sessionId, Instant since, Instant now) {
    return Panache.withSession(
        () ->
            lines
                .sessionSpend(sessionId, since)
                .chain(
                    stored ->
                        intervals
                            .findOpen(sessionId)
                            .chain(
                                open ->
                                    open == null
                                        ? Uni.createFrom().item(List.<UsageLine>of())
                                        : priced(List.of(open), since, now))
                            .map(open -> plus(stored, open))));
  }

  /** What a task's model answers since {@code since} cost (compute belongs to no task). */
  public Uni<BigDecimal> taskSpendSince(UUID taskId, Instant since) {
    return Panache.withSession(() -> lines.taskSpend(taskId, since));
  }

  /** What a user's compute since {@code since} cost, open intervals up to {@code now}. */
  public Uni<BigDecimal> userComputeSince(String userId, Instant since, Instant now) {
    return lines
        .userComputeSpend(userId, since)
        .chain(stored -> openLines(userId, since, now).map(open -> plus(stored, open)));
  }

  /**
   * What the compute of each of a user's sessions cost over its life (open intervals up to {@code
   * now}), for the sessions with usage since {@code since}, a cap of their own or an open interval.
   * Runs in the caller's session.
   */
  public Uni<java.util.Map<UUID, BigDecimal>> sessionComputes(
      String userId, Instant since, Instant now) {
    return lines
        .sessionComputeSpends(userId, since)
        .chain(
            stored ->
                intervals
                    .listOpenOwned(userId)
                    .chain(open -> priced(open, Instant.EPOCH, now))
                    .map(
                        open -> {
                          java.util.Map<UUID, BigDecimal> out =
                              new java.util.LinkedHashMap<>(stored);
                          open.forEach(
                              l -> out.merge(l.sessionId(), l.amountUsd(), BigDecimal::add));
                          return out;
                        }));
  }

  private static BigDecimal plus(BigDecimal stored, List<UsageLine> open) {
    return open.stream().map(UsageLine::amountUsd).reduce(stored, BigDecimal::add);
  }

  /** A user's open intervals within [from, to), priced and split per day. */
  private Uni<List<UsageLine>> openLines(String userId, Instant from, Instant to) {
    return intervals.listOpenOwned(userId).chain(open -> priced(open, from, to));
  }

  private Uni<List<UsageLine>> priced(List<SessionInterval> open, Instant from, Instant to) {
    if (open.isEmpty() || !from.isBefore(to)) {
      return Uni.createFrom().item(List.of());
    }
    return Multi.createFrom()
        .iterable(open)
        .onItem()
        .transformToUniAndConcatenate(
            interval ->
                providers
                    .find(interval.sessionId)
                    .map(
                        provider -> {
                          Instant start =
                              interval.startedAt.isBefore(from) ? from : interval.startedAt;
                          return computeLines(
                              interval.sessionId,
                              interval.state,
                              provider.orElse(null),
                              start,
                              to,
                              true);
                        }))
        .collect()
        .asList()
        .map(lists -> lists.stream().flatMap(List::stream).toList());
  }

  /** A stretch of a session in one state, split at UTC midnight and priced per piece. */
  List<UsageLine> computeLines(
      UUID sessionId, String state, String provider, Instant start, Instant end, boolean open) {
    List<UsageLine> out = new ArrayList<>();
    Instant from = start;
    while (from.isBefore(end)) {
      Instant midnight =
          from.atOffset(ZoneOffset.UTC)
              .toLocalDate()
              .plusDays(1)
              .atStartOfDay()
              .toInstant(ZoneOffset.UTC);
      Instant to = midnight.isBefore(end) ? midnight : end;
      long seconds = Duration.between(from, to).toSeconds();
      out.add(
          new UsageLine(
              sessionId,
              null,
              UsageKind.COMPUTE,
              state,
              rates.rateProvider(provider),
              from,
              to,
              seconds,
              0,
              0,
              0,
              0,
              rates.compute(provider, state, seconds),
              open));
      from = to;
    }
    return out;
  }

  /** The first instant of {@code now}'s calendar month (UTC). */
  public static Instant monthStart(Instant now) {
    return now.atOffset(ZoneOffset.UTC)
        .toLocalDate()
        .withDayOfMonth(1)
        .atStartOfDay()
        .toInstant(ZoneOffset.UTC);
  }

  /** The first instant of the month after {@code now}'s (UTC). */
  public static Instant monthEnd(Instant now) {
    return monthStart(now).atOffset(ZoneOffset.UTC).plusMonths(1).toInstant();
  }
}
