package dev.remoteclaude.common.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * Reads and writes envelopes. Unknown fields are ignored everywhere, so a consumer keeps working
 * when a producer adds fields (schema versions only grow additively).
 */
public final class EventCodec {

  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .addModule(new JavaTimeModule())
          .addModule(new Jdk8Module())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
          .serializationInclusion(JsonInclude.Include.NON_NULL)
          .build();

  private EventCodec() {}

  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /** Wraps a payload in a new envelope (fresh id, current time). */
  public static EventEnvelope envelope(
      Event payload, String source, String subject, String userId) {
    EventType type = EventType.of(payload);
    return new EventEnvelope(
        UUID.randomUUID(),
        type.wireName(),
        source,
        subject,
        userId,
        Instant.now(),
        EventType.SCHEMA_VERSION,
        MAPPER.valueToTree(payload));
  }

  public static String write(EventEnvelope envelope) {
    try {
      return MAPPER.writeValueAsString(envelope);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("event not serialisable: " + envelope.type(), e);
    }
  }

  /**
   * Parses an envelope; a record that is not a well-formed envelope is a poison message, which no
   * retry will cure.
   */
  public static EventEnvelope read(String json) {
    EventEnvelope envelope;
    try {
      envelope = MAPPER.readValue(json, EventEnvelope.class);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new PoisonMessageException("not an event envelope: " + originalMessage(e));
    }
    if (envelope == null
        || envelope.id() == null
        || envelope.type() == null
        || envelope.subject() == null
        || envelope.data() == null) {
      throw new PoisonMessageException("envelope lacks id, type, subject or data");
    }
    return envelope;
  }

  private static String originalMessage(Exception e) {
    return e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
  }

  /** The typed payload, or empty for a type this code does not know. */
  public static Optional<Event> payload(EventEnvelope envelope) {
    Optional<EventType> type = EventType.ofWireName(envelope.type());
    if (type.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(MAPPER.treeToValue(envelope.data(), type.get().payloadType()));
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new PoisonMessageException(
          "payload of " + envelope.type() + " " + envelope.id() + " is malformed");
    }
  }
}
