package dev.remoteclaude.repository.pullrequest;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.remoteclaude.repository.pullrequest.PullRequestFixtures.as;
import static dev.remoteclaude.repository.pullrequest.PullRequestFixtures.awaitEvent;
import static dev.remoteclaude.repository.pullrequest.PullRequestFixtures.newUser;
import static dev.remoteclaude.repository.pullrequest.PullRequestFixtures.path;
import static dev.remoteclaude.repository.pullrequest.PullRequestFixtures.register;
import static dev.remoteclaude.repository.pullrequest.PullRequestFixtures.session;
import static dev.remoteclaude.repository.pullrequest.PullRequestFixtures.unique;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;

import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.common.events.PullRequestUpdated;
import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.repository.ForgeStub;
import dev.remoteclaude.testing.KafkaProbe;
import io.quarkus.arc.Arc;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * Forge webhooks, signed exactly as each forge signs its deliveries, move a stored pull request's
 * state and announce it on the session ({@code pr.updated}); a tampered or unsigned delivery is
 * refused and changes nothing.
 */
@QuarkusTest
class WebhookTest {

  static final String PROBLEM = "application/problem+json";

  @Test
  void aSignedGitHubDeliveryMarksThePullRequestMergedAndATamperedOneIsRefused() {
    Opened pr = open("github.com", ForgeStub.GITHUB, 21);
    String body =
        "{\"action\": \"closed\", \"number\": 21, \"pull_request\": {\"number\": 21, \"state\":"
            + " \"closed\", \"merged\": true}, \"repository\": {\"full_name\": \"acme/x\"}}";
    String signature = "sha256=" + hmac(pr.secret, body);

    given()
        .header("X-GitHub-Event", "pull_request")
        .header("X-Hub-Signature-256", signature)
        .contentType("application/json")
        .body(body.replace("true", "false"))
        .post(pr.webhook)
        .then()
        .statusCode(401)
        .contentType(PROBLEM);
    given()
        .header("X-GitHub-Event", "pull_request")
        .contentType("application/json")
        .body(body)
        .post(pr.webhook)
        .then()
        .statusCode(401)
        .contentType(PROBLEM);
    as(pr.user).get(path(pr.sessionId)).then().body("[0].state", equalTo("OPEN"));

    try (KafkaProbe probe = KafkaProbe.watch(Topics.REPOSITORIES)) {
      given()
          .header("X-GitHub-Event", "pull_request")
          .header("X-Hub-Signature-256", signature)
          .contentType("application/json")
          .body(body)
          .post(pr.webhook)
          .then()
          .statusCode(204);
      PullRequestUpdated updated =
          (PullRequestUpdated)
              EventCodec.payload(awaitEvent(probe, pr.sessionId, "pr.updated")).orElseThrow();
      assertThat(updated.state()).isEqualTo("MERGED");
      assertThat(updated.change()).isEqualTo("merged");
      assertThat(updated.number()).isEqualTo(21);
    }
    as(pr.user).get(path(pr.sessionId)).then().body("[0].state", equalTo("MERGED"));
  }

  @Test
  void aGitLabDeliveryWithTheTokenClosesTheMergeRequest() {
    Opened pr = open("gitlab.com", ForgeStub.GITLAB, 22);
    String body =
        "{\"object_kind\": \"merge_request\", \"event_type\": \"merge_request\","
            + " \"object_attributes\": {\"iid\": 22, \"state\": \"closed\", \"action\":"
            + " \"close\"}}";
    given()
        .header("X-Gitlab-Event", "Merge Request Hook")
        .header("X-Gitlab-Token", pr.secret + "x")
        .contentType("application/json")
        .body(body)
        .post(pr.webhook)
        .then()
        .statusCode(401);
    given()
        .header("X-Gitlab-Event", "Merge Request Hook")
        .header("X-Gitlab-Token", pr.secret)
        .contentType("application/json")
        .body(body)
        .post(pr.webhook)
        .then()
        .statusCode(204);
    as(pr.user).get(path(pr.sessionId)).then().body("[0].state", equalTo("CLOSED"));
  }

  @Test
  void aSignedGiteaDeliveryMarksThePullRequestMerged() {
    Opened pr = open("gitea.com", ForgeStub.GITEA, 23);
    String body =
        "{\"action\": \"closed\", \"number\": 23, \"pull_request\": {\"number\": 23,"
            + " \"state\": \"closed\", \"merged\": true}}";
    given()
        .header("X-Gitea-Event", "pull_request")
        .header("X-Gitea-Signature", hmac(pr.secret, body.replace("23,", "24,")))
        .contentType("application/json")
        .body(body)
        .post(pr.webhook)
        .then()
        .statusCode(401);
    given()
        .header("X-Gitea-Event", "pull_request")
        .header("X-Gitea-Signature", hmac(pr.secret, body))
        .contentType("application/json")
        .body(body)
        .post(pr.webhook)
        .then()
        .statusCode(204);
    as(pr.user).get(path(pr.sessionId)).then().body("[0].state", equalTo("MERGED"));
  }

  @Test
  void aSignedBitbucketDeliveryMarksThePullRequestDeclined() {
    Opened pr = open("bitbucket.org", ForgeStub.BITBUCKET, 24);
    String body =
        "{\"pullrequest\": {\"id\": 24, \"title\": \"t\", \"state\": \"DECLINED\"},"
            + " \"repository\": {\"full_name\": \"acme/x\"}}";
    given()
        .header("X-Event-Key", "pullrequest:rejected")
        .header("X-Hub-Signature", "sha256=" + hmac("not-the-secret", body))
        .contentType("application/json")
        .body(body)
        .post(pr.webhook)
        .then()
        .statusCode(401);
    given()
        .header("X-Event-Key", "pullrequest:rejected")
        .header("X-Hub-Signature", "sha256=" + hmac(pr.secret, body))
        .contentType("application/json")
        .body(body)
        .post(pr.webhook)
        .then()
        .statusCode(204);
    as(pr.user).get(path(pr.sessionId)).then().body("[0].state", equalTo("CLOSED"));
  }

  @Test
  void theSecretIsShownOnceSealedAtRestAndRotationRetiresTheOldOne() {
    String user = newUser();
    String id = register(user, "https://github.com/acme/" + unique("sec"), "ghp_s");
    String first =
        as(user)
            .post("/api/v1/repositories/" + id + "/webhook-secret")
            .then()
            .statusCode(200)
            .body("path", equalTo("/api/v1/webhooks/github/" + id))
            .body("secret", matchesPattern("[0-9a-f]{64}"))
            .extract()
            .path("secret");
    String stored =
        Arc.container()
            .instance(Pool.class)
            .get()
            .preparedQuery("SELECT sealed_webhook_secret FROM repository WHERE id = $1")
            .execute(Tuple.of(UUID.fromString(id)))
            .await()
            .indefinitely()
            .iterator()
            .next()
            .getString("sealed_webhook_secret");
    assertThat(stored).isNotBlank().doesNotContain(first);
    assertThat(as(user).get("/api/v1/repositories/" + id).asString()).doesNotContain(first);

    String second =
        as(user)
            .post("/api/v1/repositories/" + id + "/webhook-secret")
            .then()
            .statusCode(200)
            .extract()
            .path("secret");
    assertThat(second).isNotEqualTo(first);
    String body = "{\"zen\": \"Keep it logically awesome.\"}";
    signedGitHub(first, body, "ping").post("/api/v1/webhooks/github/" + id).then().statusCode(401);
    signedGitHub(second, body, "ping").post("/api/v1/webhooks/github/" + id).then().statusCode(204);

    as(newUser())
        .post("/api/v1/repositories/" + id + "/webhook-secret")
        .then()
        .statusCode(404)
        .contentType(PROBLEM);
    given().post("/api/v1/repositories/" + id + "/webhook-secret").then().statusCode(401);
  }

  @Test
  void aDeliveryForAnUnknownRepositoryOrForgeIsRefused() {
    String body = "{}";
    signedGitHub("whatever", body, "ping")
        .post("/api/v1/webhooks/github/" + UUID.randomUUID())
        .then()
        .statusCode(401)
        .contentType(PROBLEM);
    given()
        .contentType("application/json")
        .body(body)
        .post("/api/v1/webhooks/sourceforge/" + UUID.randomUUID())
        .then()
        .statusCode(404)
        .contentType(PROBLEM);
  }

  private static RequestSpecification signedGitHub(String secret, String body, String event) {
    return given()
        .header("X-GitHub-Event", event)
        .header("X-Hub-Signature-256", "sha256=" + hmac(secret, body))
        .contentType("application/json")
        .body(body);
  }

  /** A pull request opened through the API on a forge, and the repository's webhook. */
  record Opened(String user, UUID sessionId, String secret, String webhook) {}

  private static Opened open(String host, String prefix, long number) {
    String user = newUser();
    String repo = unique("hook");
    String url = "https://" + host + "/acme/" + repo;
    String id = register(user, url, "token-" + UUID.randomUUID());
    UUID sessionId = session(user, url);
    String forgePath =
        switch (host) {
          case "github.com" -> "/repos/acme/" + repo + "/pulls";
          case "gitlab.com" -> "/projects/acme%2F" + repo + "/merge_requests";
          case "bitbucket.org" -> "/repositories/acme/" + repo + "/pullrequests";
          default -> "/repos/acme/" + repo + "/pulls";
        };
    String created =
        switch (host) {
          case "gitlab.com" ->
              "{\"iid\": "
                  + number
                  + ", \"state\": \"opened\", \"title\": \"t\", \"web_url\": \"https://"
                  + host
                  + "/mr\", \"source_branch\": \"b\", \"target_branch\": \"main\"}";
          case "bitbucket.org" ->
              "{\"id\": "
                  + number
                  + ", \"state\": \"OPEN\", \"title\": \"t\", \"links\": {\"html\": {\"href\":"
                  + " \"https://bitbucket.org/pr\"}}, \"source\": {\"branch\": {\"name\":"
                  + " \"b\"}}, \"destination\": {\"branch\": {\"name\": \"main\"}}}";
          default ->
              "{\"number\": "
                  + number
                  + ", \"state\": \"open\", \"title\": \"t\", \"html_url\": \"https://"
                  + host
                  + "/pr\", \"head\": {\"ref\": \"b\"}, \"base\": {\"ref\": \"main\"}}";
        };
    ForgeStub.client()
        .register(
            post(urlPathEqualTo(prefix + forgePath))
                .willReturn(
                    aResponse()
                        .withStatus(201)
                        .withHeader("Content-Type", "application/json")
                        .withBody(created)));
    as(user)
        .body(Map.of("title", "t", "head", "b"))
        .post(path(sessionId))
        .then()
        .statusCode(201)
        .body("state", equalTo("OPEN"));
    Map<String, String> secret =
        as(user)
            .post("/api/v1/repositories/" + id + "/webhook-secret")
            .then()
            .statusCode(200)
            .extract()
            .as(Map.class);
    return new Opened(user, sessionId, secret.get("secret"), secret.get("path"));
  }

  /** Hex HMAC-SHA256 of the body, as the forges sign deliveries. */
  static String hmac(String secret, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
