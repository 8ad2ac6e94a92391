package dev.remoteclaude.common.observability;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.common.events.EventEnvelope;
import dev.remoteclaude.common.events.SessionNotice;
import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.common.outbox.OutboxRelay;
import dev.remoteclaude.common.testapp.NoteService;
import dev.remoteclaude.testing.KafkaProbe;
import dev.remoteclaude.testing.OnVertx;
import dev.remoteclaude.testing.Scrape;
import dev.remoteclaude.testing.Tokens;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logmanager.formatters.PatternFormatter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ObservabilityTest {

  private static final Duration WAIT = Duration.ofSeconds(60);

  @TestHTTPResource(value = "metrics", management = true)
  URL metrics;

  @Inject NoteService notes;
  @Inject OutboxRelay relay;
  @Inject InMemorySpanExporter spans;

  @AfterEach
  void relayRuns() {
    relay.start();
  }

  @Test
  void metricsAreServedOnTheManagementPortOnly() {
    given().when().get("/q/metrics").then().statusCode(404);
    Scrape scrape = Scrape.of(metrics);
    assertThat(scrape.names())
        .contains("rc_outbox_backlog", "rc_outbox_oldest_age_seconds", "rc_outbox_dead_letters");
    // The Kafka client's own metrics, consumer lag among them, come with the messaging extension.
    assertThat(scrape.names())
        .anyMatch(n -> n.startsWith("kafka_consumer_fetch_manager_records_lag"));
  }

  @Test
  void outboxBacklogCountsEventsUntilTheRelayPublishesThem() {
    relay.stop();
    String subject = "s-" + UUID.randomUUID();
    OnVertx.await(() -> notes.create("u1", subject, "waiting", false));

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              Scrape scrape = Scrape.of(metrics);
              assertThat(scrape.value("rc_outbox_backlog")).isGreaterThanOrEqualTo(1);
              assertThat(scrape.value("rc_outbox_oldest_age_seconds")).isGreaterThan(0);
            });

    relay.start();
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              Scrape scrape = Scrape.of(metrics);
              assertThat(scrape.value("rc_outbox_backlog")).isZero();
              assertThat(scrape.value("rc_outbox_oldest_age_seconds")).isZero();
            });
  }

  @Test
  void redeliveriesAndDeadLettersAreCounted() {
    String subject = UUID.randomUUID().toString();
    Scrape before = Scrape.of(metrics);
    String raw = EventCodec.write(notice(subject, "twice"));
    KafkaProbe.send(Topics.SESSIONS, subject, raw);
    KafkaProbe.send(Topics.SESSIONS, subject, raw);
    KafkaProbe.send(Topics.SESSIONS, subject, "{not an envelope");

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              Scrape scrape = Scrape.of(metrics);
              String inbox =
                  scrape.text().lines().filter(l -> l.startsWith("rc_inbox")).toList().toString();
              assertThat(scrape.valueOrZero("rc_inbox_duplicates_total", "type", "session.notice"))
                  .as(inbox)
                  .isGreaterThan(
                      before.valueOrZero("rc_inbox_duplicates_total", "type", "session.notice"));
              assertThat(scrape.valueOrZero("rc_inbox_dead_letters_total", "reason", "poison"))
                  .as(inbox)
                  .isGreaterThan(
                      before.valueOrZero("rc_inbox_dead_letters_total", "reason", "poison"));
            });
  }

  @Test
  void aRequestAndTheConsumerOfTheEventItEmittedShareOneTraceAndItsLogLinesCarryIt() {
    List<String> lines = new CopyOnWriteArrayList<>();
    PatternFormatter format =
        new PatternFormatter(
            ConfigProvider.getConfig().getValue("quarkus.log.console.format", String.class));
    Handler capture =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            lines.add(format.format(record));
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    Logger listener = Logger.getLogger("dev.remoteclaude.common.testapp");
    listener.addHandler(capture);
    // Spans of earlier tests in this application (the fuzz test's requests) are not this one's.
    spans.reset();
    try {
      given()
          .auth()
          .oauth2(Tokens.forUser("tracer-" + UUID.randomUUID()))
          .contentType("application/json")
          .body("{\"text\":\"traced\",\"priority\":1}")
          .when()
          .post("/api/v1/notes")
          .then()
          .statusCode(200);

      SpanData request =
          await()
              .atMost(WAIT)
              .until(
                  () ->
                      spans.getFinishedSpanItems().stream()
                          .filter(s -> s.getKind() == SpanKind.SERVER)
                          .filter(s -> s.getName().equals("POST /api/v1/notes"))
                          .filter(
                              s ->
                                  Long.valueOf(200)
                                      .equals(
                                          s.getAttributes()
                                              .get(
                                                  io.opentelemetry.api.common.AttributeKey.longKey(
                                                      "http.response.status_code"))))
                          .reduce((first, second) -> second)
                          .orElse(null),
                  s -> s != null);
      String traceId = request.getTraceId();

      await()
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                List<SpanData> trace =
                    spans.getFinishedSpanItems().stream()
                        .filter(s -> s.getTraceId().equals(traceId))
                        .toList();
                // the relay's Kafka send and the consumer's handling of the event
                assertThat(trace).anyMatch(s -> s.getKind() == SpanKind.PRODUCER);
                assertThat(trace)
                    .anyMatch(
                        s ->
                            s.getKind() == SpanKind.CONSUMER
                                && s.getName().equals("session.notice process"));
                assertThat(lines)
                    .anyMatch(l -> l.contains("received") && l.contains("trace=" + traceId));
              });
    } finally {
      listener.removeHandler(capture);
    }
  }

  private static EventEnvelope notice(String subject, String message) {
    return EventCodec.envelope(
        new SessionNotice("NOTE", message, Instant.now(), null), "session-service", subject, "u1");
  }
}
