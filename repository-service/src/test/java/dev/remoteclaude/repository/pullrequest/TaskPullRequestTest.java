package dev.remoteclaude.repository.pullrequest;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
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
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.common.events.EventEnvelope;
import dev.remoteclaude.common.events.PullRequestFailed;
import dev.remoteclaude.common.events.PullRequestOpened;
import dev.remoteclaude.common.events.PullRequestOption;
import dev.remoteclaude.common.events.PullRequestUpdated;
import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.repository.ForgeStub;
import dev.remoteclaude.testing.KafkaProbe;
import io.quarkus.test.junit.QuarkusTest;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A task that asked for a pull request: the gateway's {@code git.pushed} (with {@code pullRequest}
 * set) makes repository-service look the branch's pull request up on the forge, open one when none
 * is open ({@code pr.opened} with the task) or announce the push on the open one ({@code
 * pr.updated}), and announce a failure with its reason ({@code pr.failed}).
 */
@QuarkusTest
class TaskPullRequestTest {

  /**
   * One forge's documented list and create answers for a repository; each forge lists and creates
   * on the same path.
   */
  record ForgeCase(
      String host,
      String repo,
      String path,
      String emptyList,
      String openList,
      String created,
      long number) {}

  @Test
  void aTaskPushOpensAPullRequestOnEachForgeThenUpdatesIt() {
    for (ForgeCase c : cases()) {
      String user = newUser();
      String url = "https://" + c.host() + "/acme/" + c.repo();
      register(user, url, "token-" + UUID.randomUUID());
      UUID sessionId = session(user, url);
      WireMock forge = ForgeStub.client();
      String listPath = prefix(c.host()) + c.path();
      String createPath = listPath;
      forge.register(get(urlPathEqualTo(listPath)).willReturn(json(200, c.emptyList())));
      forge.register(post(urlPathEqualTo(createPath)).willReturn(json(201, c.created())));
      UUID taskId = UUID.randomUUID();

      try (KafkaProbe probe = KafkaProbe.watch(Topics.REPOSITORIES)) {
        ForgeStub.gitPushed(
            user,
            sessionId,
            ForgeStub.pushed(
                url,
                "claude/task",
                taskId,
                new PullRequestOption(null, false, "From a task", null)));
        EventEnvelope opened = awaitEvent(probe, sessionId, "pr.opened");
        PullRequestOpened event = (PullRequestOpened) EventCodec.payload(opened).orElseThrow();
        assertThat(event.taskId()).as(c.host()).isEqualTo(taskId);
        assertThat(event.number()).as(c.host()).isEqualTo(c.number());
        assertThat(event.head()).isEqualTo("claude/task");
        assertThat(event.base()).isEqualTo("main");
        assertThat(opened.userId()).isEqualTo(user);
        forge.verifyThat(getRequestedFor(urlPathEqualTo(listPath)));
        forge.verifyThat(
            postRequestedFor(urlPathEqualTo(createPath))
                .withRequestBody(WireMock.containing("From a task")));

        as(user)
            .get(path(sessionId))
            .then()
            .statusCode(200)
            .body("", hasSize(1))
            .body("[0].taskId", equalTo(taskId.toString()));

        // The next task's push finds the pull request open: it is updated, not opened again.
        forge.register(
            get(urlPathEqualTo(listPath)).atPriority(1).willReturn(json(200, c.openList())));
        UUID nextTask = UUID.randomUUID();
        ForgeStub.gitPushed(
            user,
            sessionId,
            ForgeStub.pushed(
                url, "claude/task", nextTask, new PullRequestOption(null, null, null, null)));
        EventEnvelope updated = awaitEvent(probe, sessionId, "pr.updated");
        PullRequestUpdated change = (PullRequestUpdated) EventCodec.payload(updated).orElseThrow();
        assertThat(change.change()).isEqualTo("pushed");
        assertThat(change.taskId()).isEqualTo(nextTask);
        assertThat(change.number()).isEqualTo(c.number());
        assertThat(change.pullRequestId()).isEqualTo(event.pullRequestId());
      }
    }
  }

  @Test
  void aSlowForgeDoesNotHoldTheInboxAndARedeliveredPushOpensNoSecondPullRequest() {
    String user = newUser();
    String slow = unique("slowforge");
    String fast = unique("fastforge");
    String slowUrl = "https://github.com/acme/" + slow;
    String fastUrl = "https://github.com/acme/" + fast;
    register(user, slowUrl, "token-" + UUID.randomUUID());
    register(user, fastUrl, "token-" + UUID.randomUUID());
    UUID slowSession = session(user, slowUrl);
    UUID fastSession = session(user, fastUrl);
    String slowPath = ForgeStub.GITHUB + "/repos/acme/" + slow + "/pulls";
    String fastPath = ForgeStub.GITHUB + "/repos/acme/" + fast + "/pulls";
    WireMock forge = ForgeStub.client();
    // The slow forge takes 3 s to open a pull request (within the client's 4 s in tests), and
    // lists it from then on.
    forge.register(
        get(urlPathEqualTo(slowPath))
            .inScenario(slow)
            .whenScenarioStateIs(Scenario.STARTED)
            .willReturn(json(200, "[]")));
    forge.register(
        post(urlPathEqualTo(slowPath))
            .inScenario(slow)
            .whenScenarioStateIs(Scenario.STARTED)
            .willSetStateTo("opened")
            .willReturn(json(201, githubPull(slow, 21)).withFixedDelay(3_000)));
    forge.register(
        get(urlPathEqualTo(slowPath))
            .inScenario(slow)
            .whenScenarioStateIs("opened")
            .willReturn(json(200, "[" + githubPull(slow, 21) + "]")));
    forge.register(get(urlPathEqualTo(fastPath)).willReturn(json(200, "[]")));
    forge.register(post(urlPathEqualTo(fastPath)).willReturn(json(201, githubPull(fast, 22))));
    UUID slowTask = UUID.randomUUID();
    PullRequestOption option = new PullRequestOption(null, null, null, null);
    String slowPush =
        EventCodec.write(
            EventCodec.envelope(
                ForgeStub.pushed(slowUrl, "claude/task", slowTask, option),
                "sandbox-gateway",
                slowSession.toString(),
                user));

    try (KafkaProbe probe = KafkaProbe.watch(Topics.REPOSITORIES)) {
      KafkaProbe.send(Topics.GATEWAY, slowSession.toString(), slowPush);
      ForgeStub.gitPushed(
          user, fastSession, ForgeStub.pushed(fastUrl, "claude/task", UUID.randomUUID(), option));
      // The push after it is taken in, and its pull request opened, while the slow forge is
      // still answering: the inbox does not wait on a forge.
      awaitEvent(probe, fastSession, "pr.opened");
      assertThat(probe.records())
          .noneMatch(
              r ->
                  r.key().equals(slowSession.toString())
                      && EventCodec.read(r.value()).type().equals("pr.opened"));
      PullRequestOpened opened =
          (PullRequestOpened)
              EventCodec.payload(awaitEvent(probe, slowSession, "pr.opened")).orElseThrow();
      assertThat(opened.number()).isEqualTo(21);
      assertThat(opened.taskId()).isEqualTo(slowTask);

      // The same push delivered again, then announced again: the pull request is found open on
      // the forge and updated; a second one is never asked for.
      KafkaProbe.send(Topics.GATEWAY, slowSession.toString(), slowPush);
      ForgeStub.gitPushed(
          user, slowSession, ForgeStub.pushed(slowUrl, "claude/task", slowTask, option));
      PullRequestUpdated updated =
          (PullRequestUpdated)
              EventCodec.payload(awaitEvent(probe, slowSession, "pr.updated")).orElseThrow();
      assertThat(updated.pullRequestId()).isEqualTo(opened.pullRequestId());
      forge.verifyThat(1, postRequestedFor(urlPathEqualTo(slowPath)));
      as(user).get(path(slowSession)).then().statusCode(200).body("", hasSize(1));
    }
  }

  @Test
  void aPullRequestTheForgeOpenedWhileItsAnswerWasLostIsAnnouncedAsOpened() {
    String user = newUser();
    String repo = unique("lostanswer");
    String url = "https://github.com/acme/" + repo;
    register(user, url, "token-" + UUID.randomUUID());
    UUID sessionId = session(user, url);
    String pulls = ForgeStub.GITHUB + "/repos/acme/" + repo + "/pulls";
    WireMock forge = ForgeStub.client();
    // The forge opens the pull request but answers after the client's 4 s: the try fails as a
    // timeout, and the next try's lookup finds it open.
    forge.register(
        get(urlPathEqualTo(pulls))
            .inScenario(repo)
            .whenScenarioStateIs(Scenario.STARTED)
            .willReturn(json(200, "[]")));
    forge.register(
        post(urlPathEqualTo(pulls))
            .inScenario(repo)
            .whenScenarioStateIs(Scenario.STARTED)
            .willSetStateTo("opened")
            .willReturn(json(201, githubPull(repo, 31)).withFixedDelay(6_000)));
    forge.register(
        get(urlPathEqualTo(pulls))
            .inScenario(repo)
            .whenScenarioStateIs("opened")
            .willReturn(json(200, "[" + githubPull(repo, 31) + "]")));
    UUID taskId = UUID.randomUUID();

    try (KafkaProbe probe = KafkaProbe.watch(Topics.REPOSITORIES)) {
      ForgeStub.gitPushed(
          user,
          sessionId,
          ForgeStub.pushed(
              url, "claude/task", taskId, new PullRequestOption(null, null, null, null)));
      PullRequestOpened opened =
          (PullRequestOpened)
              EventCodec.payload(awaitEvent(probe, sessionId, "pr.opened")).orElseThrow();
      assertThat(opened.number()).isEqualTo(31);
      assertThat(opened.taskId()).isEqualTo(taskId);
      assertThat(probe.records())
          .as("the user is told it opened, not that it was updated")
          .noneMatch(
              r ->
                  r.key().equals(sessionId.toString())
                      && EventCodec.read(r.value()).type().equals("pr.updated"));
      forge.verifyThat(1, postRequestedFor(urlPathEqualTo(pulls)));
      as(user).get(path(sessionId)).then().statusCode(200).body("", hasSize(1));
    }
  }

  @Test
  void giteasLookupPagesPastTheNewestFiftyOpenPullRequests() {
    String user = newUser();
    String repo = unique("busygitea");
    String url = "https://gitea.com/acme/" + repo;
    register(user, url, "token-" + UUID.randomUUID());
    UUID sessionId = session(user, url);
    String pulls = ForgeStub.GITEA + "/repos/acme/" + repo + "/pulls";
    StringBuilder others = new StringBuilder("[");
    for (int i = 0; i < 50; i++) {
      others
          .append(i == 0 ? "" : ",")
          .append(giteaPull(repo, 1000 + i).replace("claude/task", "feature/" + i));
    }
    others.append("]");
    WireMock forge = ForgeStub.client();
    forge.register(
        get(urlPathEqualTo(pulls))
            .withQueryParam("state", WireMock.equalTo("open"))
            .withQueryParam("page", WireMock.equalTo("1"))
            .willReturn(json(200, others.toString())));
    forge.register(
        get(urlPathEqualTo(pulls))
            .withQueryParam("state", WireMock.equalTo("open"))
            .withQueryParam("page", WireMock.equalTo("2"))
            .willReturn(json(200, "[" + giteaPull(repo, 77) + "]")));
    forge.register(post(urlPathEqualTo(pulls)).willReturn(json(409, "{\"message\": \"exists\"}")));
    UUID taskId = UUID.randomUUID();

    try (KafkaProbe probe = KafkaProbe.watch(Topics.REPOSITORIES)) {
      ForgeStub.gitPushed(
          user,
          sessionId,
          ForgeStub.pushed(
              url, "claude/task", taskId, new PullRequestOption(null, null, null, null)));
      PullRequestOpened found =
          (PullRequestOpened)
              EventCodec.payload(awaitEvent(probe, sessionId, "pr.opened")).orElseThrow();
      assertThat(found.number()).isEqualTo(77);
      forge.verifyThat(0, postRequestedFor(urlPathEqualTo(pulls)));
    }
  }

  @Test
  void aRefusedCredentialIsAnnouncedAsAFailureWithItsReason() {
    String user = newUser();
    String repo = unique("taskauth");
    String url = "https://github.com/acme/" + repo;
    String token = "ghp_" + UUID.randomUUID();
    register(user, url, token);
    UUID sessionId = session(user, url);
    ForgeStub.client()
        .register(
            get(urlPathEqualTo(ForgeStub.GITHUB + "/repos/acme/" + repo + "/pulls"))
                .willReturn(json(401, "{\"message\": \"Bad credentials\"}")));
    UUID taskId = UUID.randomUUID();

    try (KafkaProbe probe = KafkaProbe.watch(Topics.REPOSITORIES)) {
      ForgeStub.gitPushed(
          user,
          sessionId,
          ForgeStub.pushed(url, "claude/x", taskId, new PullRequestOption(null, null, null, null)));
      EventEnvelope envelope = awaitEvent(probe, sessionId, "pr.failed");
      PullRequestFailed failed = (PullRequestFailed) EventCodec.payload(envelope).orElseThrow();
      assertThat(failed.code()).isEqualTo("AUTH_FAILED");
      assertThat(failed.taskId()).isEqualTo(taskId);
      assertThat(failed.branch()).isEqualTo("claude/x");
      assertThat(failed.reason()).contains("refused the repository's credential");
      assertThat(probe.records()).allSatisfy(r -> assertThat(r.value()).doesNotContain(token));
    }
  }

  @Test
  void aTaskOnAnUnregisteredRepositoryIsToldToRegisterIt() {
    String user = newUser();
    String url = "https://github.com/acme/" + unique("taskunreg");
    UUID sessionId = ForgeStub.sessionRequested(user, url);
    UUID taskId = UUID.randomUUID();

    try (KafkaProbe probe = KafkaProbe.watch(Topics.REPOSITORIES)) {
      ForgeStub.gitPushed(
          user,
          sessionId,
          ForgeStub.pushed(url, "claude/y", taskId, new PullRequestOption(null, null, null, null)));
      PullRequestFailed failed =
          (PullRequestFailed)
              EventCodec.payload(awaitEvent(probe, sessionId, "pr.failed")).orElseThrow();
      assertThat(failed.code()).isEqualTo("NOT_SUPPORTED");
      assertThat(failed.reason()).contains("not registered");
    }
  }

  private static java.util.List<ForgeCase> cases() {
    String gh = unique("tgh");
    String gl = unique("tgl");
    String bb = unique("tbb");
    String gt = unique("tgt");
    return java.util.List.of(
        new ForgeCase(
            "github.com",
            gh,
            "/repos/acme/" + gh + "/pulls",
            "[]",
            "[" + githubPull(gh, 11) + "]",
            githubPull(gh, 11),
            11),
        new ForgeCase(
            "gitlab.com",
            gl,
            "/projects/acme%2F" + gl + "/merge_requests",
            "[]",
            "[" + gitlabMr(gl, 12) + "]",
            gitlabMr(gl, 12),
            12),
        new ForgeCase(
            "bitbucket.org",
            bb,
            "/repositories/acme/" + bb + "/pullrequests",
            "{\"pagelen\": 10, \"size\": 0, \"values\": []}",
            "{\"pagelen\": 10, \"size\": 1, \"values\": [" + bitbucketPull(bb, 13) + "]}",
            bitbucketPull(bb, 13),
            13),
        new ForgeCase(
            "gitea.com",
            gt,
            "/repos/acme/" + gt + "/pulls",
            "[]",
            "[" + giteaPull(gt, 14) + "]",
            giteaPull(gt, 14),
            14));
  }

  private static String githubPull(String repo, long n) {
    return "{\"number\": "
        + n
        + ", \"state\": \"open\", \"draft\": false, \"merged_at\": null, \"title\": \"From a"
        + " task\", \"html_url\": \"https://github.com/acme/"
        + repo
        + "/pull/"
        + n
        + "\", \"head\": {\"ref\": \"claude/task\"}, \"base\": {\"ref\": \"main\"}}";
  }

  private static String gitlabMr(String repo, long n) {
    return "{\"iid\": "
        + n
        + ", \"state\": \"opened\", \"draft\": false, \"title\": \"From a task\","
        + " \"source_branch\": \"claude/task\", \"target_branch\": \"main\", \"web_url\":"
        + " \"https://gitlab.com/acme/"
        + repo
        + "/-/merge_requests/"
        + n
        + "\"}";
  }

  private static String bitbucketPull(String repo, long n) {
    return "{\"id\": "
        + n
        + ", \"title\": \"From a task\", \"state\": \"OPEN\", \"draft\": false, \"source\":"
        + " {\"branch\": {\"name\": \"claude/task\"}}, \"destination\": {\"branch\": {\"name\":"
        + " \"main\"}}, \"links\": {\"html\": {\"href\": \"https://bitbucket.org/acme/"
        + repo
        + "/pull-requests/"
        + n
        + "\"}}}";
  }

  private static String giteaPull(String repo, long n) {
    return "{\"number\": "
        + n
        + ", \"state\": \"open\", \"merged\": false, \"title\": \"From a task\", \"head\":"
        + " {\"ref\": \"claude/task\"}, \"base\": {\"ref\": \"main\"}, \"html_url\":"
        + " \"https://gitea.com/acme/"
        + repo
        + "/pulls/"
        + n
        + "\"}";
  }

  private static String prefix(String host) {
    return switch (host) {
      case "github.com" -> ForgeStub.GITHUB;
      case "gitlab.com" -> ForgeStub.GITLAB;
      case "bitbucket.org" -> ForgeStub.BITBUCKET;
      default -> ForgeStub.GITEA;
    };
  }

  static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder json(
      int status, String body) {
    return aResponse()
        .withStatus(status)
        .withHeader("Content-Type", "application/json")
        .withBody(body);
  }
}
