package dev.remoteclaude.common.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EventCodecTest {

  @Test
  void envelopeRoundTripsWithATypedPayload() {
    SessionRequested payload =
        new SessionRequested(
            "https://github.com/acme/app.git",
            "main",
            "local",
            List.of("npm ci"),
            Map.of("API_URL", "k1:sealed"),
            null,
            Duration.ofMinutes(5),
            Instant.parse("2026-11-25T20:00:00Z"),
            null);
    EventEnvelope envelope = EventCodec.envelope(payload, "session-service", "s1", "u1");

    String json = EventCodec.write(envelope);
    EventEnvelope read = EventCodec.read(json);

    assertThat(read).isEqualTo(envelope);
    assertThat(read.type()).isEqualTo("session.requested");
    assertThat(read.schemaVersion()).isEqualTo(EventType.SCHEMA_VERSION);
    assertThat(EventCodec.payload(read)).contains(payload);
    assertThat(json).contains("\"idleTimeout\":\"PT5M\"").doesNotContain("gitCredential");
  }

  @Test
  void everyTypeRoundTrips() {
    TaskCompleted completed =
        new TaskCompleted(
            UUID.randomUUID(),
            "done",
            new Usage(new BigDecimal("0.0123"), 10, 20, 1, 2, 3, 4000, "claude-x"),
            "cs-1",
            Instant.now());
    EventEnvelope envelope = EventCodec.envelope(completed, "sandbox-gateway", "s1", "u1");
    assertThat(EventCodec.payload(EventCodec.read(EventCodec.write(envelope)))).contains(completed);
    for (EventType type : EventType.values()) {
      assertThat(type.topic()).startsWith("rc.");
      assertThat(EventType.ofWireName(type.wireName())).contains(type);
    }
  }

  @Test
  void aSessionRequestKeepsItsRegionAndOneWrittenBeforeRegionsReadsAsNone() {
    SessionRequested inRegion =
        new SessionRequested(
            "https://github.com/acme/app.git",
            "main",
            "auto",
            List.of(),
            Map.of(),
            null,
            Duration.ofMinutes(5),
            Instant.parse("2026-11-25T20:00:00Z"),
            null,
            "eu-west");
    EventEnvelope envelope = EventCodec.envelope(inRegion, "session-service", "s1", "u1");
    assertThat(EventCodec.payload(EventCodec.read(EventCodec.write(envelope)))).contains(inRegion);

    String old =
        """
        {"id":"%s","type":"session.requested","source":"session-service",
         "subject":"%s","userId":"u1","occurredAt":"2026-11-25T18:00:00Z","schemaVersion":1,
         "data":{"repositoryUrl":"https://github.com/acme/app.git","branch":"main",
                 "provider":"local","setupCommands":[],"environment":{},"idleTimeout":"PT5M",
                 "expiresAt":"2026-11-25T20:00:00Z"}}
        """
            .formatted(UUID.randomUUID(), UUID.randomUUID());
    assertThat(EventCodec.payload(EventCodec.read(old)))
        .get()
        .isInstanceOfSatisfying(SessionRequested.class, read -> assertThat(read.region()).isNull());
  }

  @Test
  void newerPayloadWithUnknownFieldsIsRead() {
    String json =
        """
        {"id":"%s","type":"sandbox.paused","source":"sandbox-gateway","subject":"s1",
         "userId":"u1","occurredAt":"2026-11-25T18:00:00Z","schemaVersion":3,
         "traceparent":"00-1-2-01",
         "data":{"at":"2026-11-25T18:00:00Z","snapshotTaken":true}}
        """
            .formatted(UUID.randomUUID());
    EventEnvelope envelope = EventCodec.read(json);
    assertThat(envelope.schemaVersion()).isEqualTo(3);
    assertThat(EventCodec.payload(envelope))
        .contains(new SandboxPaused(Instant.parse("2026-11-25T18:00:00Z")));
  }

  @Test
  void unknownTypeHasNoPayload() {
    String json =
        """
        {"id":"%s","type":"sandbox.teleported","source":"x","subject":"s1","userId":"u1",
         "occurredAt":"2026-11-25T18:00:00Z","schemaVersion":1,"data":{}}
        """
            .formatted(UUID.randomUUID());
    assertThat(EventCodec.payload(EventCodec.read(json))).isEmpty();
  }

  @Test
  void malformedRecordsArePoison() {
    assertThatThrownBy(() -> EventCodec.read("nope")).isInstanceOf(PoisonMessageException.class);
    assertThatThrownBy(() -> EventCodec.read("{\"type\":\"x\"}"))
        .isInstanceOf(PoisonMessageException.class);
    String badPayload =
        """
        {"id":"%s","type":"sandbox.paused","source":"x","subject":"s1","userId":"u1",
         "occurredAt":"2026-11-25T18:00:00Z","schemaVersion":1,"data":{"at":"yesterday"}}
        """
            .formatted(UUID.randomUUID());
    EventEnvelope envelope = EventCodec.read(badPayload);
    assertThatThrownBy(() -> EventCodec.payload(envelope))
        .isInstanceOf(PoisonMessageException.class);
  }

  @Test
  void theSubjectIsTheSessionIdAndIsNotWritten() {
    UUID session = UUID.randomUUID();
    EventEnvelope envelope =
        EventCodec.envelope(
            new SandboxPaused(Instant.parse("2026-11-25T18:00:00Z")),
            "sandbox-gateway",
            session.toString(),
            "u1");

    assertThat(envelope.sessionId()).isEqualTo(session);
    assertThat(EventCodec.write(envelope)).doesNotContain("sessionId");
  }

  @Test
  void aSubjectThatIsNotASessionIdIsPoison() {
    EventEnvelope envelope =
        EventCodec.envelope(
            new SandboxPaused(Instant.parse("2026-11-25T18:00:00Z")), "x", "user-1", "u1");

    assertThatThrownBy(envelope::sessionId)
        .isInstanceOf(PoisonMessageException.class)
        .hasMessageContaining("not a session id");
  }
}
