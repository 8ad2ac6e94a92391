package dev.remoteclaude.gateway.support;

import static org.assertj.core.api.Assertions.assertThat;

import dev.remoteclaude.common.crypto.SecretBox;
import dev.remoteclaude.common.crypto.SecretContexts;
import dev.remoteclaude.common.events.Event;
import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.common.events.EventEnvelope;
import dev.remoteclaude.common.events.EventType;
import dev.remoteclaude.common.events.SandboxFailed;
import dev.remoteclaude.common.events.SessionRequested;
import dev.remoteclaude.common.events.TaskDispatched;
import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.testing.KafkaProbe;
import dev.remoteclaude.testing.TestKeys;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Plays session-service and task-service towards the gateway: sends their events through the real
 * broker, and reads the gateway's answers.
 */
public final class Sessions {

  private static final SecretBox SECRETS =
      new SecretBox("k1", Map.of("k1", TestKeys.secretKeyBase64()));

  private Sessions() {}

  public static void send(String topic, UUID sessionId, String userId, Event payload) {
    EventEnvelope envelope = EventCodec.envelope(payload, "test", sessionId.toString(), userId);
    KafkaProbe.send(topic, sessionId.toString(), EventCodec.write(envelope));
  }

  public static void send(UUID sessionId, String userId, Event payload) {
    send(EventType.of(payload).topic(), sessionId, userId, payload);
  }

  public static SessionRequested request(String repositoryUrl, String branch, List<String> setup) {
    return request(repositoryUrl, branch, setup, Map.of(), null);
  }

  /** A request as session-service makes it: environment values sealed for this session. */
  public static SessionRequested requestFor(
      UUID sessionId, String repositoryUrl, Map<String, String> env) {
    Map<String, String> sealed = new HashMap<>();
    env.forEach(
        (k, v) -> sealed.put(k, SECRETS.seal(v, SecretContexts.sessionEnvironment(sessionId, k))));
    return request(repositoryUrl, "main", List.of(), sealed, null);
  }

  public static SessionRequested request(
      String repositoryUrl,
      String branch,
      List<String> setup,
      Map<String, String> sealedEnv,
      String sealedGitToken) {
    return request("local", repositoryUrl, branch, setup, sealedEnv, sealedGitToken);
  }

  /** A request for a sandbox of {@code provider}, on branch main, without setup. */
  public static SessionRequested requestOn(String provider, String repositoryUrl) {
    return request(provider, repositoryUrl, "main", List.of(), Map.of(), null);
  }

  /** A request for a sandbox of {@code provider} in {@code region}, on branch main. */
  public static SessionRequested requestIn(String provider, String region, String repositoryUrl) {
    SessionRequested plain = requestOn(provider, repositoryUrl);
    return new SessionRequested(
        plain.repositoryUrl(),
        plain.branch(),
        plain.provider(),
        plain.setupCommands(),
        plain.environment(),
        plain.gitCredential(),
        plain.idleTimeout(),
        plain.expiresAt(),
        null,
        region);
  }

  /** A request for a sandbox of {@code provider}. */
  public static SessionRequested request(
      String provider,
      String repositoryUrl,
      String branch,
      List<String> setup,
      Map<String, String> sealedEnv,
      String sealedGitToken) {
    return new SessionRequested(
        repositoryUrl,
        branch,
        provider,
        setup,
        sealedEnv,
        sealedGitToken,
        Duration.ofMinutes(5),
        Instant.now().plus(Duration.ofHours(1)),
        null);
  }

  /**
   * What session-service asks for to recover a lost sandbox: a local one restored from {@code
   * snapshotId} (the repository is not cloned).
   */
  public static SessionRequested restoredFrom(String snapshotId) {
    return new SessionRequested(
        GitRepos.withReadme("unused: restored from the snapshot"),
        "main",
        "local",
        List.of(),
        Map.of(),
        null,
        Duration.ofMinutes(5),
        Instant.now().plusSeconds(3600),
        snapshotId);
  }

  public static String sealGitToken(UUID sessionId, String token) {
    return SECRETS.seal(token, SecretContexts.sessionGitCredential(sessionId));
  }

  public static TaskDispatched task(UUID taskId, String prompt) {
    return new TaskDispatched(taskId, prompt, null, null, null, null, null, null, Instant.now());
  }

  /** The first gateway event of a type for a session. */
  public static EventEnvelope await(KafkaProbe gateway, UUID sessionId, String type) {
    ConsumerRecord<String, String> record =
        gateway.awaitRecord(
            r ->
                sessionId.toString().equals(r.key())
                    && EventCodec.read(r.value()).type().equals(type));
    return EventCodec.read(record.value());
  }

  /** The gateway event of a type for a task. */
  public static EventEnvelope awaitTask(KafkaProbe gateway, UUID taskId, String type) {
    ConsumerRecord<String, String> record =
        gateway.awaitRecord(
            r -> {
              EventEnvelope e = EventCodec.read(r.value());
              return e.type().equals(type)
                  && taskId.toString().equals(e.data().path("taskId").asText());
            });
    return EventCodec.read(record.value());
  }

  /** Requests a sandbox of {@code provider} for the session and waits for it to fail. */
  public static SandboxFailed failedOn(UUID sessionId, String userId, String provider) {
    try (KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      send(sessionId, userId, requestOn(provider, GitRepos.withReadme("x")));
      return payload(await(gateway, sessionId, "sandbox.failed"), SandboxFailed.class);
    }
  }

  /** A session with a ready sandbox (a small repository cloned), owned by a fresh user. */
  public record Ready(UUID sessionId, String userId) {}

  public static Ready provision() {
    UUID session = UUID.randomUUID();
    String user = "u-" + UUID.randomUUID();
    String repo = GitRepos.withReadme("# demo\n");
    try (KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      send(session, user, request(repo, "main", List.of()));
      await(gateway, session, "sandbox.provisioned");
    }
    return new Ready(session, user);
  }

  public static <T extends Event> T payload(EventEnvelope envelope, Class<T> type) {
    Optional<Event> payload = EventCodec.payload(envelope);
    assertThat(payload).isPresent().get().isInstanceOf(type);
    return type.cast(payload.get());
  }
}
