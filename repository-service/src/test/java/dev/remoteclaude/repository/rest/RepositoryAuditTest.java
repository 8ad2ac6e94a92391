package dev.remoteclaude.repository.rest;

import static dev.remoteclaude.repository.rest.RepositoryResourceTest.as;
import static dev.remoteclaude.repository.rest.RepositoryResourceTest.cred;
import static dev.remoteclaude.repository.rest.RepositoryResourceTest.newUser;
import static dev.remoteclaude.repository.rest.RepositoryResourceTest.register;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.remoteclaude.common.events.AuditRecorded;
import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.common.events.EventEnvelope;
import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.testing.KafkaProbe;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Credential changes are on the audit trail (rc.audit-events, keyed by the user) with their
 * outcome, and the credential itself never is.
 */
@QuarkusTest
class RepositoryAuditTest {

  @Test
  void repositoryAndCredentialChangesAreAuditedWithoutTheCredential() {
    String user = newUser();
    String token = "ghp_" + UUID.randomUUID().toString().replace("-", "");
    String newToken = "glpat-" + UUID.randomUUID();
    String url = "https://github.com/acme/audit-" + UUID.randomUUID() + ".git";
    try (KafkaProbe probe = KafkaProbe.watch(Topics.AUDIT)) {
      String id =
          register(user, Map.of("url", url, "credential", cred(token)))
              .then()
              .statusCode(201)
              .extract()
              .path("id");
      as(user)
          .body(Map.of("credential", cred(newToken)))
          .patch("/api/v1/repositories/" + id)
          .then()
          .statusCode(200);
      as(newUser()).delete("/api/v1/repositories/" + id).then().statusCode(404);
      as(user).delete("/api/v1/repositories/" + id).then().statusCode(204);

      await().atMost(Duration.ofSeconds(90)).until(() -> recordsOf(probe, user).size() >= 3);
      List<ConsumerRecord<String, String>> records = recordsOf(probe, user);
      assertThat(records)
          .allSatisfy(r -> assertThat(r.value()).doesNotContain(token).doesNotContain(newToken));
      List<AuditRecorded> actions =
          records.stream()
              .map(
                  r -> (AuditRecorded) EventCodec.payload(EventCodec.read(r.value())).orElseThrow())
              .toList();
      assertThat(actions)
          .extracting(AuditRecorded::action, AuditRecorded::status, AuditRecorded::outcome)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(
                  "POST /api/v1/repositories", 201, AuditRecorded.SUCCEEDED),
              org.assertj.core.groups.Tuple.tuple(
                  "PATCH /api/v1/repositories/{id}", 200, AuditRecorded.SUCCEEDED),
              org.assertj.core.groups.Tuple.tuple(
                  "DELETE /api/v1/repositories/{id}", 204, AuditRecorded.SUCCEEDED));
      assertThat(actions.get(0).target()).containsEntry("created", id);
      assertThat(actions.get(2).target()).containsEntry("id", id);
      assertThat(actions).allSatisfy(a -> assertThat(a.service()).isEqualTo("repository-service"));
    }
  }

  private static List<ConsumerRecord<String, String>> recordsOf(KafkaProbe probe, String user) {
    return probe.records().stream()
        .filter(r -> user.equals(r.key()))
        .filter(
            r -> {
              EventEnvelope envelope = EventCodec.read(r.value());
              return envelope.type().equals("audit.recorded") && user.equals(envelope.userId());
            })
        .toList();
  }
}
