package dev.remoteclaude.gateway.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.remoteclaude.common.events.BudgetChanged;
import dev.remoteclaude.common.events.BudgetExceeded;
import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.common.events.EventEnvelope;
import dev.remoteclaude.common.events.ModelUsage;
import dev.remoteclaude.common.events.TaskCompleted;
import dev.remoteclaude.common.events.TaskFailed;
import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.common.pricing.ModelPrices;
import dev.remoteclaude.gateway.log.OutputLog;
import dev.remoteclaude.gateway.support.GatewayTestResource;
import dev.remoteclaude.gateway.support.Sessions;
import dev.remoteclaude.infra.anthropic.AnthropicStub;
import dev.remoteclaude.infra.anthropic.Turn;
import dev.remoteclaude.testing.KafkaProbe;
import dev.remoteclaude.testing.OnVertx;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The session's and the user's monthly budget, as billing publishes them (billing.budget-changed)
 * plus the answers the model proxy meters: a runaway agent is stopped one answer past the session's
 * cap at most, the stream is warned once at 80 % and told to raise the cap, session- service is
 * told to pause the session, and after the cap is raised the next task continues the conversation.
 * The monthly cap counts billing's compute spend.
 */
@QuarkusTest
class SessionBudgetTest {

  private static final String PROXY = "http://127.0.0.1:" + GatewayTestResource.modelProxyPort();

  private final AnthropicStub stub = GatewayTestResource.stub();

  @Inject ModelPrices prices;

  @Inject ModelTokenRepository tokens;

  @Inject BudgetRepository budgets;

  @Inject OutputLog log;

  @Test
  void aRunawayTaskIsStoppedOneAnswerPastTheSessionsCapWarnedOnceAndGoesOnOnceTheCapIsRaised() {
    Sessions.Ready session = Sessions.provision();
    String runaway = "runaway-" + UUID.randomUUID();
    String next = "next-" + UUID.randomUUID();
    AtomicBoolean stopped = new AtomicBoolean();
    stub.when(
        c -> c.prompt().contains(runaway) && !stopped.get(),
        c -> IntStream.range(0, 60).mapToObj(i -> Turn.bash("echo step " + i)).toList());
    String resumed = "Continuing where the session's budget stopped me.";
    stub.when(
        c -> stopped.get() && (c.prompt().contains(runaway) || c.prompt().contains(next)),
        c ->
            Collections.nCopies(
                c.toolResults() + 1,
                Turn.text(
                    c.prompt().contains(runaway)
                            || c.earlierPrompts().stream().anyMatch(p -> p.contains(runaway))
                        ? resumed
                        : "No earlier conversation.")));
    Instant monthStart = ModelProxy.monthStart(Instant.now());
    BigDecimal cap = new BigDecimal("0.20");
    BigDecimal compute = new BigDecimal("0.02");
    Instant at = Instant.now();
    // Published twice (a redelivery): the same numbers, nothing added.
    EventEnvelope budget =
        budget(
            session.userId(),
            new BudgetChanged(
                null,
                null,
                monthStart,
                compute,
                List.of(new BudgetChanged.SessionBudget(session.sessionId(), cap, compute)),
                at));
    publish(budget);
    publish(budget);
    awaitLimits(session, l -> l.sessionCapUsd() != null);
    assertThat(limits(session).sessionComputeUsd()).isEqualByComparingTo(compute);

    UUID task = UUID.randomUUID();
    UUID task2 = UUID.randomUUID();
    try (KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      Sessions.send(
          session.sessionId(), session.userId(), Sessions.task(task, "loop forever " + runaway));
      TaskFailed failed =
          Sessions.payload(
              awaitEvent(gateway, e -> e.type().equals("task.failed") && isTask(e, task)),
              TaskFailed.class);
      assertThat(failed.code()).isEqualTo(TaskFailed.BUDGET_EXCEEDED);
      assertThat(failed.reason()).contains("session's budget of 0.2 USD");

      // Every answer was metered; with the compute, all but the last cost less than the cap.
      List<BigDecimal> costs = new ArrayList<>();
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () -> {
                costs.clear();
                gateway.records().stream()
                    .map(r -> EventCodec.read(r.value()))
                    .filter(e -> e.type().equals("model.usage"))
                    .map(e -> Sessions.payload(e, ModelUsage.class))
                    .filter(u -> u.taskId().equals(task))
                    .forEach(u -> costs.add(price(u)));
                assertThat(costs).hasSize(served(runaway));
              });
      BigDecimal total = costs.stream().reduce(compute, BigDecimal::add);
      assertThat(total).isGreaterThanOrEqualTo(cap);
      assertThat(total.subtract(costs.getLast())).isLessThan(cap);
      assertThat(served(runaway)).isLessThan(60);

      // session-service is told (it pauses the session).
      BudgetExceeded exceeded =
          Sessions.payload(
              awaitEvent(gateway, e -> e.type().equals("budget.exceeded") && isTask(e, task)),
              BudgetExceeded.class);
      assertThat(exceeded.scope()).isEqualTo(BudgetExceeded.SESSION);
      assertThat(exceeded.capUsd()).isEqualByComparingTo(cap);

      // The stream: one warning at 80 %, however many answers followed, and the stop.
      List<JsonNode> notices = notices(session);
      assertThat(notices)
          .filteredOn(n -> n.path("kind").asText().equals("BUDGET_WARNING"))
          .singleElement()
          .satisfies(
              n -> {
                assertThat(n.path("scope").asText()).isEqualTo("SESSION");
                assertThat(n.path("message").asText())
                    .contains("80 % of this session's budget of 0.2 USD");
              });
      assertThat(notices)
          .filteredOn(n -> n.path("kind").asText().equals("BUDGET_EXCEEDED"))
          .singleElement()
          .satisfies(
              n ->
                  assertThat(n.path("message").asText())
                      .contains("rclaude budget set --session " + session.sessionId() + " --cap"));

      // The cap raised, the next task continues the stopped one's conversation.
      publish(
          budget(
              session.userId(),
              new BudgetChanged(
                  null,
                  null,
                  monthStart,
                  compute,
                  List.of(
                      new BudgetChanged.SessionBudget(
                          session.sessionId(), new BigDecimal("5"), compute)),
                  at.plusSeconds(1))));
      awaitLimits(session, l -> l.sessionCapUsd().compareTo(BigDecimal.ONE) > 0);
      stopped.set(true);
      Sessions.send(session.sessionId(), session.userId(), Sessions.task(task2, "go on " + next));
      EventEnvelope end =
          awaitEvent(
              gateway, e -> isTask(e, task2) && e.type().matches("task\\.(completed|failed)"));
      assertThat(end.type()).as("task 2 ended: %s", end.data()).isEqualTo("task.completed");
      assertThat(Sessions.payload(end, TaskCompleted.class).result()).isEqualTo(resumed);
    }
  }

  @Test
  void theMonthlyCapCountsBillingsComputeAndARaisedCapLetsTheTaskAskAgain() throws Exception {
    String owner = "u-" + UUID.randomUUID();
    UUID sessionId = UUID.randomUUID();
    Sessions.Ready session = new Sessions.Ready(sessionId, owner);
    Instant monthStart = ModelProxy.monthStart(Instant.now());
    Instant at = Instant.now();
    // The compute alone has spent the monthly cap.
    publish(
        budget(
            owner,
            new BudgetChanged(
                new BigDecimal("0.5"), null, monthStart, new BigDecimal("0.5"), List.of(), at)));
    awaitLimits(session, l -> l.monthlyCapUsd() != null);
    String marker = "monthly-" + UUID.randomUUID();
    stub.when(marker, Turn.text("Fine."));
    String token =
        OnVertx.await(
            () ->
                Panache.withTransaction(
                    () -> tokens.mint(sessionId, owner, UUID.randomUUID(), Duration.ofMinutes(5))));

    HttpResponse<String> refused = ask(token, marker);
    assertThat(refused.statusCode()).isEqualTo(402);
    assertThat(refused.body())
        .contains("\"billing_error\"")
        .contains("your monthly budget of 0.5 USD is spent")
        .contains("rclaude budget set --monthly");
    assertThat(served(marker)).isZero();

    // Raised: the same token may ask again.
    publish(
        budget(
            owner,
            new BudgetChanged(
                new BigDecimal("2"),
                null,
                monthStart,
                new BigDecimal("0.5"),
                List.of(),
                at.plusSeconds(1))));
    awaitLimits(session, l -> l.monthlyCapUsd().compareTo(BigDecimal.ONE) > 0);
    HttpResponse<String> answered = ask(token, marker);
    assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
    assertThat(served(marker)).isEqualTo(1);
  }

  private HttpResponse<String> ask(String token, String marker) throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    return http.send(
        HttpRequest.newBuilder(URI.create(PROXY + "/v1/messages"))
            .header("x-api-key", token)
            .header("content-type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":100,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"say it "
                        + marker
                        + "\"}]}"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static EventEnvelope budget(String user, BudgetChanged change) {
    return EventCodec.envelope(change, "billing-service", user, user);
  }

  private static void publish(EventEnvelope envelope) {
    KafkaProbe.send(Topics.BILLING, envelope.subject(), EventCodec.write(envelope));
  }

  private BudgetRepository.Limits limits(Sessions.Ready session) {
    return OnVertx.await(
        () ->
            Panache.withSession(
                () ->
                    budgets.limits(
                        session.sessionId(),
                        session.userId(),
                        ModelProxy.monthStart(Instant.now()))));
  }

  private void awaitLimits(
      Sessions.Ready session, java.util.function.Predicate<BudgetRepository.Limits> match) {
    await().atMost(Duration.ofSeconds(120)).until(() -> limits(session), match);
  }

  private static EventEnvelope awaitEvent(
      KafkaProbe gateway, java.util.function.Predicate<EventEnvelope> match) {
    return await()
        .atMost(Duration.ofMinutes(3))
        .until(
            () ->
                gateway.records().stream()
                    .map(r -> EventCodec.read(r.value()))
                    .filter(match)
                    .findFirst(),
            Optional::isPresent)
        .orElseThrow();
  }

  private static boolean isTask(EventEnvelope e, UUID taskId) {
    return taskId.toString().equals(e.data().path("taskId").asText());
  }

  private List<JsonNode> notices(Sessions.Ready session) {
    return log.read(session.sessionId(), 0, 10_000).await().atMost(Duration.ofSeconds(30)).stream()
        .filter(e -> e.type().equals("session.notice"))
        .map(
            e -> {
              try {
                return EventCodec.mapper().readTree(e.data());
              } catch (Exception ex) {
                throw new AssertionError(ex);
              }
            })
        .toList();
  }

  private BigDecimal price(ModelUsage u) {
    return prices.price(
        u.model(), u.inputTokens(), u.outputTokens(), u.cacheReadTokens(), u.cacheCreationTokens());
  }

  private int served(String marker) {
    return (int)
        stub.requests().stream().filter(r -> r.conversation().prompt().contains(marker)).count();
  }
}
