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
