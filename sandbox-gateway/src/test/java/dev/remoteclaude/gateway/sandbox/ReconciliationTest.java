package dev.remoteclaude.gateway.sandbox;

import static io.restassured.RestAssured.given;

import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.gateway.support.GatewayTestResource;
import dev.remoteclaude.gateway.support.Sessions;
import dev.remoteclaude.testing.KafkaProbe;
import dev.remoteclaude.testing.OnVertx;
import dev.remoteclaude.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ReconciliationTest {

  @Inject Reconciler reconciler;
  @Inject OrphanCollector orphans;
  @Inject dev.remoteclaude.gateway.provider.ProviderCalls providers;

  @Test
  void sandboxesTheGatewayDoesNotKnowAreCollectedOnceOlderThanTheGracePeriod() {
    // A sandbox in use, and one the provider holds but no session knows (a gateway died between
    // creating it and recording its id).
    Sessions.Ready inUse = Sessions.provision();
    String orphan =
        OnVertx.await(
            () ->
                providers.create("local", dev.remoteclaude.gateway.provider.SandboxSpecs.fresh()));
    Path orphanDir = GatewayTestResource.sandboxRoot().resolve("sandboxes").resolve(orphan);
    org.assertj.core.api.Assertions.assertThat(orphanDir).isDirectory();

    // Within the grace period it might be one being created right now: kept.
    org.assertj.core.api.Assertions.assertThat(
            OnVertx.await(() -> orphans.collect(java.time.Instant.now(), "local")))
        .doesNotContain(orphan);
    org.assertj.core.api.Assertions.assertThat(orphanDir).isDirectory();

    // Past it, it is terminated; the sandbox in use is not, however old. (One provider only: the
    // test providers' circuit breakers are other tests' business.)
    java.util.List<String> collected =
        OnVertx.await(
            () ->
                orphans.collect(
                    java.time.Instant.now().plus(java.time.Duration.ofDays(1)), "local"));
    org.assertj.core.api.Assertions.assertThat(collected).contains(orphan);
    org.assertj.core.api.Assertions.assertThat(orphanDir).doesNotExist();
    given()
        .auth()
        .oauth2(Tokens.forUser(inUse.userId()))
        .contentType("application/json")
        .body("{\"script\": \"echo still-here\"}")
        .post("/api/v1/sessions/{id}/commands", inUse.sessionId())
        .then()
        .statusCode(200)
        .body("stdout", org.hamcrest.Matchers.equalTo("still-here\n"));
  }

  @Test
  void aSandboxGoneFromDiskIsReportedLostWhenTheGatewayReconciles() throws IOException {
    Sessions.Ready session = Sessions.provision();
    String marker = ".marker-" + session.sessionId();
    given()
        .auth()
        .oauth2(Tokens.forUser(session.userId()))
        .contentType("application/octet-stream")
        .queryParam("path", marker)
        .body(new byte[0])
        .put("/api/v1/sessions/{id}/files", session.sessionId())
        .then()
        .statusCode(204);
    try (var dirs = Files.list(GatewayTestResource.sandboxRoot().resolve("sandboxes"))) {
      for (Path dir : dirs.toList()) {
        if (Files.exists(dir.resolve("workspace").resolve(marker))) {
          try (var tree = Files.walk(dir)) {
            for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
              Files.delete(p);
            }
          }
        }
      }
    }
    try (KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      OnVertx.await(reconciler::reconcile);
      Sessions.await(gateway, session.sessionId(), "sandbox.lost");
    }
  }
}
