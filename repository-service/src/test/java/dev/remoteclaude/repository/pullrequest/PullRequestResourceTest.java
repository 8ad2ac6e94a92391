package dev.remoteclaude.repository.pullrequest;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.remoteclaude.repository.pullrequest.PullRequestFixtures.as;
import static dev.remoteclaude.repository.pullrequest.PullRequestFixtures.awaitEvent;
import static dev.remoteclaude.repository.pullrequest.PullRequestFixtures.newUser;
import static dev.remoteclaude.repository.pullrequest.PullRequestFixtures.path;
import static dev.remoteclaude.repository.pullrequest.PullRequestFixtures.register;
import static dev.remoteclaude.repository.pullrequest.PullRequestFixtures.session;
import static dev.remoteclaude.repository.pullrequest.PullRequestFixtures.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;

import com.github.tomakehurst.wiremock.client.WireMock;
import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.common.events.EventEnvelope;
import dev.remoteclaude.common.events.PullRequestOpened;
import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.repository.ForgeStub;
import dev.remoteclaude.testing.KafkaProbe;
import io.quarkus.test.junit.QuarkusTest;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Opening a session's pull request through the API on each forge, against stubs of the forges'
 * documented REST APIs: the request each forge gets (path, auth header, body), what the user gets
 * back, and the reasons given when the forge or the setup is at fault.
 */
@QuarkusTest
class PullRequestResourceTest {

  static final String PROBLEM = "application/problem+json";

  @Test
  void opensAGitHubPullRequestAndListsIt() {
    String user = newUser();
    String repo = unique("gh");
    String url = "https://github.com/acme/" + repo + ".git";
    String token = "ghp_" + UUID.randomUUID().toString().replace("-", "");
    String repositoryId = register(user, url, token);
    UUID sessionId = session(user, url);
    WireMock forge = ForgeStub.client();
    forge.register(
        post(urlPathEqualTo(ForgeStub.GITHUB + "/repos/acme/" + repo + "/pulls"))
            .willReturn(
                json(
                    201,
                    "{\"id\": 1, \"number\": 42, \"state\": \"open\", \"draft\": true,"
                        + " \"merged_at\": null, \"title\": \"Add hello\","
                        + " \"html_url\": \"https://github.com/acme/"
                        + repo
                        + "/pull/42\", \"head\": {\"ref\": \"claude/hello\", \"label\":"
                        + " \"acme:claude/hello\"}, \"base\": {\"ref\": \"main\"}}")));

    try (KafkaProbe probe = KafkaProbe.watch(Topics.REPOSITORIES)) {
      as(user)
          .body(
              Map.of(
                  "title",
                  "Add hello",
                  "body",
                  "Says hello",
                  "head",
                  "claude/hello",
                  "draft",
                  true))
          .post(path(sessionId))
          .then()
          .statusCode(201)
          .body("number", equalTo(42))
          .body("forge", equalTo("GITHUB"))
          .body("state", equalTo("DRAFT"))
          .body("head", equalTo("claude/hello"))
          .body("base", equalTo("main"))
          .body("repositoryId", equalTo(repositoryId))
          .body("url", equalTo("https://github.com/acme/" + repo + "/pull/42"));

      forge.verifyThat(
          postRequestedFor(urlPathEqualTo(ForgeStub.GITHUB + "/repos/acme/" + repo + "/pulls"))
              .withHeader("Authorization", WireMock.equalTo("Bearer " + token))
              .withHeader("X-GitHub-Api-Version", WireMock.equalTo("2022-11-28"))
              .withRequestBody(
                  equalToJson(
                      "{\"title\": \"Add hello\", \"body\": \"Says hello\", \"head\":"
                          + " \"claude/hello\", \"base\": \"main\", \"draft\": true}")));

      EventEnvelope opened = awaitEvent(probe, sessionId, "pr.opened");
      assertThat(opened.userId()).isEqualTo(user);
      PullRequestOpened event = (PullRequestOpened) EventCodec.payload(opened).orElseThrow();
      assertThat(event.number()).isEqualTo(42);
      assertThat(event.forge()).isEqualTo("GITHUB");
      assertThat(event.url()).endsWith("/pull/42");
      assertThat(event.taskId()).isNull();
      assertThat(probe.records()).allSatisfy(r -> assertThat(r.value()).doesNotContain(token));
    }

    as(user)
        .get(path(sessionId))
        .then()
        .statusCode(200)
        .body("", hasSize(1))
        .body("[0].number", equalTo(42))
        .body("[0].state", equalTo("DRAFT"));
  }

  @Test
  void opensAGitLabMergeRequestByTheProjectsEncodedPath() {
    String user = newUser();
    String repo = unique("gl");
    String url = "https://gitlab.com/acme/" + repo;
    String token = "glpat-" + UUID.randomUUID();
    register(user, url, token);
    UUID sessionId = session(user, url);
    String forgePath = ForgeStub.GITLAB + "/projects/acme%2F" + repo + "/merge_requests";
    WireMock forge = ForgeStub.client();
    forge.register(
        post(urlPathEqualTo(forgePath))
            .willReturn(
                json(
                    201,
                    "{\"id\": 987, \"iid\": 3, \"project_id\": 5, \"state\": \"opened\","
                        + " \"draft\": false, \"title\": \"Fix\", \"source_branch\": \"fix\","
                        + " \"target_branch\": \"develop\", \"web_url\":"
                        + " \"https://gitlab.com/acme/"
                        + repo
                        + "/-/merge_requests/3\"}")));

    as(user)
        .body(Map.of("title", "Fix", "head", "fix", "base", "develop"))
        .post(path(sessionId))
        .then()
        .statusCode(201)
        .body("number", equalTo(3))
        .body("state", equalTo("OPEN"))
        .body("url", containsString("/-/merge_requests/3"));

    forge.verifyThat(
        postRequestedFor(urlPathEqualTo(forgePath))
            .withHeader("PRIVATE-TOKEN", WireMock.equalTo(token))
            .withRequestBody(
                equalToJson(
                    "{\"source_branch\": \"fix\", \"target_branch\": \"develop\", \"title\":"
                        + " \"Fix\", \"description\": null}")));
  }

  @Test
  void opensABitbucketPullRequest() {
    String user = newUser();
    String repo = unique("bb");
    String url = "https://bitbucket.org/acme/" + repo;
    String token = "ATCTT" + UUID.randomUUID();
    register(user, url, token);
    UUID sessionId = session(user, url);
    String forgePath = ForgeStub.BITBUCKET + "/repositories/acme/" + repo + "/pullrequests";
    WireMock forge = ForgeStub.client();
    forge.register(
        post(urlPathEqualTo(forgePath))
            .willReturn(
                json(
                    201,
                    "{\"type\": \"pullrequest\", \"id\": 5, \"title\": \"Tidy\", \"state\":"
                        + " \"OPEN\", \"draft\": false, \"source\": {\"branch\": {\"name\":"
                        + " \"tidy\"}}, \"destination\": {\"branch\": {\"name\": \"main\"}},"
                        + " \"links\": {\"html\": {\"href\": \"https://bitbucket.org/acme/"
                        + repo
                        + "/pull-requests/5\"}}}")));

    as(user)
        .body(Map.of("title", "Tidy", "head", "tidy"))
        .post(path(sessionId))
        .then()
        .statusCode(201)
        .body("number", equalTo(5))
        .body("forge", equalTo("BITBUCKET"))
        .body("url", containsString("/pull-requests/5"));

    forge.verifyThat(
        postRequestedFor(urlPathEqualTo(forgePath))
            .withHeader("Authorization", WireMock.equalTo("Bearer " + token))
            .withRequestBody(
                equalToJson(
                    "{\"title\": \"Tidy\", \"description\": null, \"draft\": false, \"source\":"
                        + " {\"branch\": {\"name\": \"tidy\"}}, \"destination\": {\"branch\":"
                        + " {\"name\": \"main\"}}}")));
  }

  @Test
  void opensAGiteaPullRequestWithAWipTitleForADraft() {
    String user = newUser();
    String repo = unique("gt");
    String url = "https://gitea.com/acme/" + repo;
    String token = UUID.randomUUID().toString().replace("-", "");
    register(user, url, token);
    UUID sessionId = session(user, url);
    String forgePath = ForgeStub.GITEA + "/repos/acme/" + repo + "/pulls";
    WireMock forge = ForgeStub.client();
    forge.register(
        post(urlPathEqualTo(forgePath))
            .willReturn(
                json(
                    201,
                    "{\"id\": 77, \"number\": 4, \"state\": \"open\", \"merged\": false,"
                        + " \"title\": \"WIP: Try\", \"head\": {\"ref\": \"try\"}, \"base\":"
                        + " {\"ref\": \"main\"}, \"html_url\": \"https://gitea.com/acme/"
                        + repo
                        + "/pulls/4\"}")));

    as(user)
        .body(Map.of("title", "Try", "head", "try", "draft", true, "body", "b"))
        .post(path(sessionId))
        .then()
        .statusCode(201)
        .body("number", equalTo(4))
        .body("state", equalTo("DRAFT"))
        .body("forge", equalTo("GITEA"));

    forge.verifyThat(
        postRequestedFor(urlPathEqualTo(forgePath))
            .withHeader("Authorization", WireMock.equalTo("token " + token))
            .withRequestBody(
                equalToJson(
                    "{\"head\": \"try\", \"base\": \"main\", \"title\": \"WIP: Try\","
                        + " \"body\": \"b\"}")));
  }

  @Test
  void aForgeOutageIsA503NamingTheForge() {
    String user = newUser();
    String repo = unique("down");
    String url = "https://github.com/acme/" + repo;
    register(user, url, "ghp_outage");
    UUID sessionId = session(user, url);
    ForgeStub.client()
        .register(
            post(urlPathEqualTo(ForgeStub.GITHUB + "/repos/acme/" + repo + "/pulls"))
                .willReturn(json(502, "<html>Bad gateway</html>")));

    as(user)
        .body(Map.of("title", "t", "head", "x"))
        .post(path(sessionId))
        .then()
        .statusCode(503)
        .contentType(PROBLEM)
        .body("detail", containsString("GitHub is unavailable"));
  }

  @Test
  void aForgeThatDoesNotAnswerInTimeIsA503() {
    String user = newUser();
    String repo = unique("slow");
    String url = "https://gitea.com/acme/" + repo;
    register(user, url, "slow-token");
    UUID sessionId = session(user, url);
    ForgeStub.client()
        .register(
            post(urlPathEqualTo(ForgeStub.GITEA + "/repos/acme/" + repo + "/pulls"))
                .willReturn(json(201, "{}").withFixedDelay(6_000)));

    as(user)
        .body(Map.of("title", "t", "head", "x"))
        .post(path(sessionId))
        .then()
        .statusCode(503)
        .contentType(PROBLEM)
        .body("detail", containsString("Gitea"));
  }

  @Test
  void aRefusedCredentialIsSaidSoWithoutTheToken() {
    String user = newUser();
    String repo = unique("auth");
    String url = "https://github.com/acme/" + repo;
    String token = "ghp_refused_" + UUID.randomUUID();
    register(user, url, token);
    UUID sessionId = session(user, url);
    ForgeStub.client()
        .register(
            post(urlPathEqualTo(ForgeStub.GITHUB + "/repos/acme/" + repo + "/pulls"))
                .willReturn(
                    json(
                        401,
                        "{\"message\": \"Bad credentials\", \"documentation_url\":"
                            + " \"https://docs.github.com/rest\", \"status\": \"401\"}")));

    String body =
        as(user)
            .body(Map.of("title", "t", "head", "x"))
            .post(path(sessionId))
            .then()
            .statusCode(422)
            .contentType(PROBLEM)
            .body("detail", containsString("refused the repository's credential"))
            .body("detail", containsString("Bad credentials"))
            .extract()
            .asString();
    assertThat(body).doesNotContain(token).doesNotContainIgnoringCase("exception");
  }

  @Test
  void anExistingPullRequestOrNoCommitsAreClearProblems() {
    String user = newUser();
    String repo = unique("dup");
    String url = "https://github.com/acme/" + repo;
    register(user, url, "ghp_dup");
    UUID sessionId = session(user, url);
    String forgePath = ForgeStub.GITHUB + "/repos/acme/" + repo + "/pulls";
    WireMock forge = ForgeStub.client();
    forge.register(
        post(urlPathEqualTo(forgePath))
            .withRequestBody(WireMock.matchingJsonPath("$.head", WireMock.equalTo("dup")))
            .willReturn(
                json(
                    422,
                    "{\"message\": \"Validation Failed\", \"errors\": [{\"resource\":"
                        + " \"PullRequest\", \"code\": \"custom\", \"message\": \"A pull request"
                        + " already exists for acme:dup.\"}]}")));
    forge.register(
        post(urlPathEqualTo(forgePath))
            .withRequestBody(WireMock.matchingJsonPath("$.head", WireMock.equalTo("same")))
            .willReturn(
                json(
                    422,
                    "{\"message\": \"Validation Failed\", \"errors\": [{\"resource\":"
                        + " \"PullRequest\", \"code\": \"custom\", \"message\": \"No commits"
                        + " between main and same\"}]}")));

    as(user)
        .body(Map.of("title", "t", "head", "dup"))
        .post(path(sessionId))
        .then()
        .statusCode(409)
        .contentType(PROBLEM)
        .body("detail", containsString("already exists"));
    as(user)
        .body(Map.of("title", "t", "head", "same"))
        .post(path(sessionId))
        .then()
        .statusCode(422)
        .contentType(PROBLEM)
        .body("detail", containsString("No commits between main and same"));
  }

  @Test
  void aSessionOnAnUnregisteredRepositoryIsToldToRegisterIt() {
    String user = newUser();
    String url = "https://github.com/acme/" + unique("unregistered");
    UUID sessionId = session(user, url);

    as(user)
        .body(Map.of("title", "t", "head", "x"))
        .post(path(sessionId))
        .then()
        .statusCode(409)
        .contentType(PROBLEM)
        .body("detail", containsString("not registered"))
        .body("detail", containsString("rclaude repo add"));
  }

  @Test
  void withoutAPushOrAHeadTheUserIsToldToPushFirst() {
    String user = newUser();
    String url = "https://github.com/acme/" + unique("nopush");
    register(user, url, "ghp_x");
    UUID sessionId = session(user, url);

    as(user)
        .body(Map.of("title", "t"))
        .post(path(sessionId))
        .then()
        .statusCode(409)
        .contentType(PROBLEM)
        .body("detail", containsString("nothing was pushed"));
  }

  @Test
  void anotherUserGets404() {
    String owner = newUser();
    String url = "https://github.com/acme/" + unique("mine");
    register(owner, url, "ghp_mine");
    UUID sessionId = session(owner, url);
    String stranger = newUser();
    register(stranger, url, "ghp_theirs");

    as(stranger).get(path(sessionId)).then().statusCode(404).contentType(PROBLEM);
    as(stranger)
        .body(Map.of("title", "t", "head", "x"))
        .post(path(sessionId))
        .then()
        .statusCode(404)
        .contentType(PROBLEM)
        .body("detail", not(containsString(owner)));
    as(owner).get(path(sessionId)).then().statusCode(200);
  }

  @Test
  void anUnknownSessionIs404AndNoTokenIs401() {
    String user = newUser();
    UUID unknown = UUID.randomUUID();
    as(user).get(path(unknown)).then().statusCode(404).contentType(PROBLEM);
    io.restassured.RestAssured.given().get(path(unknown)).then().statusCode(401);
  }

  static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder json(
      int status, String body) {
    return aResponse()
        .withStatus(status)
        .withHeader("Content-Type", "application/json")
        .withBody(body);
  }
}
