package dev.remoteclaude.repository.rest;

import static dev.remoteclaude.repository.rest.RepositoryResourceTest.as;
import static dev.remoteclaude.repository.rest.RepositoryResourceTest.cred;
import static dev.remoteclaude.repository.rest.RepositoryResourceTest.newUser;
import static dev.remoteclaude.repository.rest.RepositoryResourceTest.register;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.remoteclaude.common.crypto.SecretBox;
import dev.remoteclaude.common.crypto.SecretContexts;
import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.common.events.EventEnvelope;
import dev.remoteclaude.common.events.RepositoryRegistered;
import dev.remoteclaude.common.events.RepositoryRemoved;
import dev.remoteclaude.common.events.RepositoryUpdated;
import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.testing.KafkaProbe;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Every change of a repository is published on rc.repository-events, keyed by the repository; the
 * token travels only sealed for the repository, never in clear.
 */
@QuarkusTest
class RepositoryEventsTest {

  @Inject SecretBox secrets;

  @Test
  void changesArePublishedWithTheTokenOnlySealed() {
    String user = newUser();
    String token = "ghp_" + UUID.randomUUID().toString().replace("-", "");
    String newToken = "ghp_" + UUID.randomUUID().toString().replace("-", "");
    String url = "https://github.com/acme/events-" + UUID.randomUUID() + ".git";
    try (KafkaProbe probe = KafkaProbe.watch(Topics.REPOSITORIES)) {
      String id =
          register(user, Map.of("url", url, "credential", cred(token)))
              .then()
              .statusCode(201)
              .extract()
              .path("id");
      UUID repositoryId = UUID.fromString(id);

      ConsumerRecord<String, String> record = awaitEvent(probe, id, "repository.registered");
      assertThat(record.value()).doesNotContain(token);
      EventEnvelope envelope = EventCodec.read(record.value());
      assertThat(envelope.userId()).isEqualTo(user);
      assertThat(envelope.subject()).isEqualTo(id);
      RepositoryRegistered registered =
          (RepositoryRegistered) EventCodec.payload(envelope).orElseThrow();
      assertThat(registered.url()).isEqualTo(url);
      assertThat(registered.normalizedUrl()).isEqualTo(url.substring(0, url.length() - 4));
      assertThat(registered.forge()).isEqualTo("GITHUB");
      assertThat(
              secrets.open(
                  registered.credential(), SecretContexts.repositoryCredential(repositoryId)))
          .isEqualTo(token);
      assertThatThrownBy(
              () ->
                  secrets.open(
                      registered.credential(),
                      SecretContexts.repositoryCredential(UUID.randomUUID())))
          .isInstanceOf(SecretBox.SecretException.class);

      as(user)
          .body(Map.of("credential", cred(newToken)))
          .patch("/api/v1/repositories/" + id)
          .then()
          .statusCode(200);
      ConsumerRecord<String, String> update = awaitEvent(probe, id, "repository.updated");
      assertThat(update.value()).doesNotContain(token).doesNotContain(newToken);
      RepositoryUpdated updated =
          (RepositoryUpdated) EventCodec.payload(EventCodec.read(update.value())).orElseThrow();
      assertThat(
              secrets.open(updated.credential(), SecretContexts.repositoryCredential(repositoryId)))
          .isEqualTo(newToken);

      as(user)
          .body(Map.of("removeCredential", true))
          .patch("/api/v1/repositories/" + id)
          .then()
          .statusCode(200);
      as(user).delete("/api/v1/repositories/" + id).then().statusCode(204);
      ConsumerRecord<String, String> removal = awaitEvent(probe, id, "repository.removed");
      RepositoryRemoved removed =
          (RepositoryRemoved) EventCodec.payload(EventCodec.read(removal.value())).orElseThrow();
      assertThat(removed.repositoryId()).isEqualTo(repositoryId);

      assertThat(probe.records())
          .filteredOn(r -> id.equals(r.key()))
          .hasSize(4)
          .allSatisfy(r -> assertThat(r.value()).doesNotContain(token).doesNotContain(newToken));
    }
  }

  private static ConsumerRecord<String, String> awaitEvent(
      KafkaProbe probe, String key, String type) {
    return probe.awaitRecord(
        r -> key.equals(r.key()) && EventCodec.read(r.value()).type().equals(type));
  }
}
