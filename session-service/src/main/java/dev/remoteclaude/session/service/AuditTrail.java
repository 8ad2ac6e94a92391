package dev.remoteclaude.session.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.remoteclaude.api.AuditEntryView;
import dev.remoteclaude.api.AuditPageView;
import dev.remoteclaude.common.events.AuditRecorded;
import dev.remoteclaude.common.events.EventEnvelope;
import dev.remoteclaude.session.AuditEntry;
import dev.remoteclaude.session.AuditQuery;
import dev.remoteclaude.session.Times;
import dev.remoteclaude.session.config.SessionConfig;
import dev.remoteclaude.session.repository.AuditRepository;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;

/**
 * The users' audit trail: what every service recorded of their actions, kept append-only for {@code
 * session.audit.retention} and shown to each user for their own actions only.
 */
@ApplicationScoped
public class AuditTrail {

  private static final TypeReference<Map<String, String>> TARGET = new TypeReference<>() {};

  private final AuditRepository entries;
  private final ObjectMapper json;
  private final SessionConfig config;

  public AuditTrail(AuditRepository entries, ObjectMapper json, SessionConfig config) {
    this.entries = entries;
    this.json = json;
    this.config = config;
  }

  /**
   * Keeps a recorded action; runs in the inbox's transaction, so a redelivered event is a no-op.
   */
  public Uni<Void> record(EventEnvelope envelope, AuditRecorded event) {
    AuditEntry entry = new AuditEntry();
    entry.eventId = envelope.id();
    entry.userId = envelope.userId();
    entry.at = event.at() == null ? envelope.occurredAt() : event.at();
    entry.service = event.service() == null ? envelope.source() : event.service();
    entry.action = event.action();
    Map<String, String> target = event.target() == null ? Map.of() : event.target();
    entry.target = write(target);
    entry.targetId = mainTarget(target);
    entry.status = event.status();
    entry.outcome = event.outcome();
    entry.clientAddress = event.clientAddress();
    entry.userAgent = event.userAgent();
    return entries.add(entry);
  }

  /** A page of one user's trail, newest first. */
  @WithSession
  public Uni<AuditPageView> page(AuditQuery filter, int page, int size) {
    return entries
        .page(filter, page, size)
        .chain(
            items ->
                entries
                    .count(filter)
                    .map(
                        total ->
                            new AuditPageView(
                                items.stream().map(this::view).toList(), page, size, total)));
  }

  /** Deletes what is older than the retention; returns how many entries went. */
  @WithTransaction
  public Uni<Long> purge() {
    Instant cutoff = Times.now().minus(config.audit().retention());
    return entries.deleteBefore(cutoff);
  }

  private AuditEntryView view(AuditEntry entry) {
    return new AuditEntryView(
        entry.eventId,
        entry.at,
        entry.action,
        read(entry.target),
        entry.status,
        entry.outcome,
        entry.service,
        entry.clientAddress,
        entry.userAgent);
  }

  /**
   * What was acted on: the route's id (or session id), else what the call created, else the route's
   * first parameter.
   */
  private static String mainTarget(Map<String, String> target) {
    for (String name : java.util.List.of("id", "sessionId", "created")) {
      if (target.containsKey(name)) {
        return target.get(name);
      }
    }
    return target.values().stream().findFirst().orElse(null);
  }

  private String write(Map<String, String> target) {
    try {
      return json.writeValueAsString(target);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Map<String, String> read(String target) {
    try {
      return json.readValue(target, TARGET);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
