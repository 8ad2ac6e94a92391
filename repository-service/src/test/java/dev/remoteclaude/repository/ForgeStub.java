package dev.remoteclaude.repository;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.common.events.GitPushed;
import dev.remoteclaude.common.events.PullRequestOption;
import dev.remoteclaude.common.events.SessionRequested;
import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.testing.KafkaProbe;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * One WireMock server standing in for the four forges' REST APIs, for every @QuarkusTest of this
 * module: github.com, gitlab.com, bitbucket.org and gitea.com are pointed at it under a prefix each
 * ({@code repository.forges.api-base}), so a test stubs a forge at the paths it documents.
 */
@QuarkusTestResource(ForgeStub.class)
public class ForgeStub implements QuarkusTestResourceLifecycleManager {

  public static final String GITHUB = "/github";
  public static final String GITLAB = "/gitlab/api/v4";
  public static final String BITBUCKET = "/bitbucket/2.0";
  public static final String GITEA = "/gitea/api/v1";

  private WireMockServer server;

  @Override
  public Map<String, String> start() {
    server = new WireMockServer(WireMockConfiguration.options().dynamicPort());
    server.start();
    String base = server.baseUrl();
    return Map.of(
        "repository.forges.api-base.\"github.com\"", base + GITHUB,
        "repository.forges.api-base.\"gitlab.com\"", base + GITLAB,
        "repository.forges.api-base.\"bitbucket.org\"", base + BITBUCKET,
        "repository.forges.api-base.\"gitea.com\"", base + GITEA,
        "forge.stub.base", base);
  }

  @Override
  public void stop() {
    if (server != null) {
      server.stop();
    }
  }

  /** A client of the stub the application talks to. */
  public static WireMock client() {
    URI uri = URI.create(ConfigProvider.getConfig().getValue("forge.stub.base", String.class));
    return new WireMock(uri.getHost(), uri.getPort());
  }

  /** Publishes session-service's {@code session.requested} of a new session of {@code user}. */
  public static UUID sessionRequested(String user, String repositoryUrl) {
    UUID sessionId = UUID.randomUUID();
    SessionRequested event =
        new SessionRequested(
            repositoryUrl, null, "local", List.of(), Map.of(), null, null, null, null);
    KafkaProbe.send(
        Topics.SESSIONS,
        sessionId.toString(),
        EventCodec.write(
            EventCodec.envelope(event, "session-service", sessionId.toString(), user)));
    return sessionId;
  }

  /** Publishes the gateway's {@code git.pushed} of a session's branch. */
  public static void gitPushed(String user, UUID sessionId, GitPushed event) {
    KafkaProbe.send(
        Topics.GATEWAY,
        sessionId.toString(),
        EventCodec.write(
            EventCodec.envelope(event, "sandbox-gateway", sessionId.toString(), user)));
  }

  public static GitPushed pushed(String url, String branch, UUID taskId, PullRequestOption option) {
    return new GitPushed(
        url,
        branch,
        "c0ffee00" + UUID.randomUUID().toString().replace("-", ""),
        null,
        taskId,
        option,
        Instant.now());
  }
}
