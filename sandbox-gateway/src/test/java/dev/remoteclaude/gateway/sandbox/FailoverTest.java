package dev.remoteclaude.gateway.sandbox;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.remoteclaude.common.events.SandboxFailed;
import dev.remoteclaude.common.events.SandboxProvisioned;
import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.gateway.provider.ProviderCalls;
import dev.remoteclaude.gateway.provider.ProviderException;
import dev.remoteclaude.gateway.provider.SandboxSpecs;
import dev.remoteclaude.gateway.support.BrokenProvider;
import dev.remoteclaude.gateway.support.GitRepos;
import dev.remoteclaude.gateway.support.Sessions;
import dev.remoteclaude.testing.KafkaProbe;
import dev.remoteclaude.testing.OnVertx;
import dev.remoteclaude.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A session that leaves the provider to the platform ({@code auto}) gets the first provider of the
 * platform's order that has what it needs and is up; when that one fails at create, the next one,
 * with a notice on the session's stream. One that names its provider stays there.
 */
@QuarkusTest
@TestProfile(FailoverTest.Ordered.class)
class FailoverTest {

  /**
   * without-claude lacks pause (a session with an idle timeout needs it), broken is down, local
   * works.
   */
  public static class Ordered implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "gateway.providers.order[0].name", "without-claude",
          "gateway.providers.order[0].capabilities", "snapshots",
          "gateway.providers.order[1].name", "broken",
          "gateway.providers.order[1].capabilities", "pause,snapshots",
          "gateway.providers.order[2].name", "local",
          "gateway.providers.order[2].capabilities", "pause,snapshots,network-policy");
    }
  }

  @Inject ProviderCalls providers;
  @Inject BrokenProvider broken;
  @Inject Pool pool;

  @BeforeEach
  void breakersClosed() {
    CircuitBreakerMaintenance.get().resetAll();
  }

  @Test
  void withTheFirstProvidersBreakerOpenTheSessionIsCreatedAtTheNextAndTheStreamSaysSo() {
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              try {
                OnVertx.await(() -> providers.create("broken", SandboxSpecs.fresh()));
              } catch (CircuitBreakerOpenException open) {
                return true;
              } catch (ProviderException outage) {
                // counted; not open yet
              }
              return false;
            });
    assertThat(providers.healthy("broken")).isFalse();
    int callsBefore = broken.calls();

    UUID session = UUID.randomUUID();
    String user = "u-" + UUID.randomUUID();
    SandboxProvisioned provisioned = provisionAuto(session, user);

    assertThat(provisioned.provider()).isEqualTo("local");
    assertThat(broken.calls())
        .as("an open breaker is passed over, not called")
        .isEqualTo(callsBefore);
    assertThat(providerOf(session)).isEqualTo("local");
    List<Map<String, Object>> notices = failoverNotices(session, user);
    assertThat(notices).hasSize(1);
    assertThat(notices.get(0))
        .containsEntry("failedProvider", "broken")
        .containsEntry("provider", "local");
    assertThat((String) notices.get(0).get("message")).contains("circuit breaker is open");
  }

  @Test
  void whenCreatingFailsAsAnOutageTheNextProviderIsUsed() {
    assertThat(providers.healthy("broken")).isTrue();
    int callsBefore = broken.calls();

    UUID session = UUID.randomUUID();
    String user = "u-" + UUID.randomUUID();
    SandboxProvisioned provisioned = provisionAuto(session, user);

    assertThat(provisioned.provider()).isEqualTo("local");
    assertThat(broken.calls()).as("broken was tried first").isGreaterThan(callsBefore);
    assertThat(providerOf(session)).isEqualTo("local");
    List<Map<String, Object>> notices = failoverNotices(session, user);
    assertThat(notices).hasSize(1);
    assertThat(notices.get(0))
        .containsEntry("failedProvider", "broken")
        .containsEntry("provider", "local");
    assertThat((String) notices.get(0).get("message")).contains("is unavailable");
  }

  @Test
  void aSessionThatNamesItsProviderIsNotMovedElsewhere() {
    UUID session = UUID.randomUUID();
    String user = "u-" + UUID.randomUUID();
    assertThat(Sessions.failedOn(session, user, "broken").code())
        .isEqualTo(SandboxFailed.PROVIDER_UNAVAILABLE);
    assertThat(providerOf(session)).isEqualTo("broken");
    assertThat(failoverNotices(session, user)).isEmpty();
  }

  private static SandboxProvisioned provisionAuto(UUID session, String user) {
    try (KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      Sessions.send(session, user, Sessions.requestOn("auto", GitRepos.withReadme("# failover\n")));
      return Sessions.payload(
          Sessions.await(gateway, session, "sandbox.provisioned"), SandboxProvisioned.class);
    }
  }

  private String providerOf(UUID session) {
    return pool.preparedQuery("SELECT provider FROM sandbox WHERE session_id = $1")
        .execute(Tuple.of(session))
        .await()
        .indefinitely()
        .iterator()
        .next()
        .getString("provider");
  }

  private static List<Map<String, Object>> failoverNotices(UUID session, String user) {
    return given()
        .auth()
        .oauth2(Tokens.forUser(user))
        .queryParam("limit", 1000)
        .get("/api/v1/sessions/{id}/events", session)
        .then()
        .statusCode(200)
        .extract()
        .jsonPath()
        .getList(
            "events.findAll { it.type == 'session.notice' && it.data.kind == 'PROVIDER_FAILOVER' }"
                + ".data");
  }
}
