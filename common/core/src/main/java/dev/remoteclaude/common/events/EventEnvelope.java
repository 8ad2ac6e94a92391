package dev.remoteclaude.common.events;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.UUID;

/**
 * What travels on every topic, serialised as JSON.
 *
 * @param id unique per event; consumers record it to apply each event once
 * @param type the wire name of the payload, e.g. {@code session.requested}
 * @param source the producing service
 * @param subject the session id (the Kafka key), or the user id for user-scoped events
 * @param userId the user the event belongs to
 * @param occurredAt when the state change happened
 * @param schemaVersion the payload's version; it only grows with additive changes (a breaking
 *     change gets a new type), so an older consumer reads a newer payload by ignoring what it does
 *     not know
 * @param data the payload
 * @param traceparent the W3C trace context of the request that emitted the event ({@code 00-<trace
 *     id>-<span id>-<flags>}), so its consumers continue that trace; absent when the event was
 *     emitted outside a trace
 */
public record EventEnvelope(
    UUID id,
    String type,
    String source,
    String subject,
    String userId,
    Instant occurredAt,
    int schemaVersion,
    JsonNode data,
    String traceparent) {

  /** An envelope that carries no trace context. */
  public EventEnvelope(
      UUID id,
      String type,
      String source,
      String subject,
      String userId,
      Instant occurredAt,
      int schemaVersion,
      JsonNode data) {
    this(id, type, source, subject, userId, occurredAt, schemaVersion, data, null);
  }

  /** The same event, carrying the given trace context. */
  public EventEnvelope withTraceparent(String value) {
    return new EventEnvelope(
        id, type, source, subject, userId, occurredAt, schemaVersion, data, value);
  }

  /**
   * The session the event is about: its subject, read as a session id. An event of a session whose
   * subject is not one is a poison message (no retry can cure it).
   *
   * @throws PoisonMessageException when the subject is not a UUID
   */
  @JsonIgnore
  public UUID sessionId() {
    try {
      return UUID.fromString(subject);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new PoisonMessageException(
          type + " " + id + " has a subject that is not a session id: " + subject);
    }
  }
}
