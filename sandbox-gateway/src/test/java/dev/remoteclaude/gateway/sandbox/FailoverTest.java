package dev.remoteclaude.gateway.sandbox;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.remoteclaude.common.events.SandboxFailed;
import dev.remoteclaude.common.events.SandboxProvisioned;
import dev.remoteclaude.common.events.SessionRequested;
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
   * works; garbled-daemon is local's equal (same priority) with weight 0. Regions: broken serves
   * us-east only, local and garbled-daemon eu-west.
   */
  public static class Ordered implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.ofEntries(
          Map.entry("gateway.providers.order[0].name", "without-claude"),
          Map.entry("gateway.providers.order[0].capabilities", "snapshots"),
          Map.entry("gateway.providers.order[0].regions", "eu-west"),
          Map.entry("gateway.providers.order[1].name", "broken"),
          Map.entry("gateway.providers.order[1].capabilities", "pause,snapshots"),
          Map.entry("gateway.providers.order[1].regions", "us-east"),
          Map.entry("gateway.providers.order[2].name", "local"),
          Map.entry("gateway.providers.order[2].capabilities", "pause,snapshots,network-policy"),
          Map.entry("gateway.providers.order[2].regions", "eu-west"),
          Map.entry("gateway.providers.order[3].name", "garbled-daemon"),
          Map.entry("gateway.providers.order[3].priority", "2"),
          Map.entry("gateway.providers.order[3].weight", "0"),
          Map.entry("gateway.providers.order[3].capabilities", "pause,snapshots,network-policy"),
          Map.entry("gateway.providers.order[3].regions", "eu-west"));
    }
  }

  @Inject ProviderCalls providers;
  @Inject BrokenProvider broken;
  @Inject Pool pool;
  @Inject ProviderSelection selection;

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

  @Test
  void anAutoSessionInARegionGoesOnlyToAProviderServingIt() {
    assertThat(providers.healthy("broken")).isTrue();
    int callsBefore = broken.calls();

    UUID session = UUID.randomUUID();
    String user = "u-" + UUID.randomUUID();
    SandboxProvisioned provisioned =
        provisionAuto(
            session, user, Sessions.requestIn("auto", "eu-west", GitRepos.withReadme("# eu\n")));

    assertThat(provisioned.provider()).isEqualTo("local");
    assertThat(broken.calls())
        .as("broken comes first in the order but does not serve eu-west")
        .isEqualTo(callsBefore);
    assertThat(failoverNotices(session, user)).isEmpty();
    assertThat(providerOf(session)).isEqualTo("local");
    assertThat(storedRequest(session)).contains("\"region\":\"eu-west\"");
  }

  @Test
  void anAutoSessionInARegionNoProviderServesFailsAtOnceNamingTheRegion() {
    int callsBefore = broken.calls();
    UUID session = UUID.randomUUID();
    String user = "u-" + UUID.randomUUID();
    try (KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      Sessions.send(
          session,
          user,
          Sessions.requestIn("auto", "ap-south", GitRepos.withReadme("# nowhere\n")));
      SandboxFailed failed =
          Sessions.payload(Sessions.await(gateway, session, "sandbox.failed"), SandboxFailed.class);
      assertThat(failed.code()).isEqualTo(SandboxFailed.PROVIDER_UNAVAILABLE);
      assertThat(failed.reason()).contains("in region ap-south");
    }
    assertThat(broken.calls()).isEqualTo(callsBefore);
  }

  @Test
  void aProviderOfWeightZeroAmongEqualsIsNeverACandidate() {
    SessionRequested anyRegion = Sessions.requestOn("auto", "https://example.invalid/r.git");
    SessionRequested inEuWest =
        Sessions.requestIn("auto", "eu-west", "https://example.invalid/r.git");
    for (int i = 0; i < 200; i++) {
      assertThat(selection.candidates(anyRegion)).containsExactly("broken", "local");
      assertThat(selection.candidates(inEuWest)).containsExactly("local");
    }
  }

  private static SandboxProvisioned provisionAuto(UUID session, String user) {
    return provisionAuto(
        session, user, Sessions.requestOn("auto", GitRepos.withReadme("# failover\n")));
  }

  private static SandboxProvisioned provisionAuto(
      UUID session, String user, SessionRequested request) {
    try (KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      Sessions.send(session, user, request);
      return Sessions.payload(
          Sessions.await(gateway, session, "sandbox.provisioned"), SandboxProvisioned.class);
    }
  }

  private String storedRequest(UUID session) {
    return pool.preparedQuery("SELECT request FROM sandbox_request WHERE session_id = $1")
        .execute(Tuple.of(session))
        .await()
        .indefinitely()
        .iterator()
        .next()
        .getValue("request")
        .toString();
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
