package dev.remoteclaude.session.service;

import static dev.remoteclaude.session.SessionFixtures.as;
import static dev.remoteclaude.session.SessionFixtures.awaitState;
import static dev.remoteclaude.session.SessionFixtures.count;
import static dev.remoteclaude.session.SessionFixtures.create;
import static dev.remoteclaude.session.SessionFixtures.emitted;
import static dev.remoteclaude.session.SessionFixtures.fromGateway;
import static dev.remoteclaude.session.SessionFixtures.newUser;
import static dev.remoteclaude.session.SessionFixtures.row;
import static dev.remoteclaude.session.SessionFixtures.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;

import dev.remoteclaude.api.SessionState;
import dev.remoteclaude.common.crypto.SecretBox;
import dev.remoteclaude.common.crypto.SecretContexts;
import dev.remoteclaude.common.events.Event;
import dev.remoteclaude.common.events.RepositoryRegistered;
import dev.remoteclaude.common.events.RepositoryRemoved;
import dev.remoteclaude.common.events.RepositoryUpdated;
import dev.remoteclaude.common.events.SandboxLost;
import dev.remoteclaude.common.events.SandboxProvisioned;
import dev.remoteclaude.common.events.SessionRequested;
import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.common.net.RepositoryUrls;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * session-service learns the repositories users register from repository-service's events, and a
 * session on one (by id, or by a URL that matches it) is cloned with its credential: sealed again
 * for the session in {@code session.requested}, never in clear.
 */
@QuarkusTest
class RegisteredRepositoryCredentialTest {

  @Inject SecretBox secrets;

  @Test
  void aSessionOnARegisteredRepositoryCarriesItsCredentialSealedForTheSession() {
    String user = newUser();
    String token = "ghp_" + UUID.randomUUID().toString().replace("-", "");
    UUID repositoryId = UUID.randomUUID();
    String url = "https://github.com/acme/private-" + repositoryId + ".git";
    fromRepositories(
        repositoryId,
        user,
        new RepositoryRegistered(
            repositoryId,
            url,
            RepositoryUrls.normalize(url),
            "develop",
            "GITHUB",
            secrets.seal(token, SecretContexts.repositoryCredential(repositoryId)),
            Instant.now(),
            Instant.now()));
    awaitKnown(repositoryId, 1);

    // By id: the repository's URL and default branch.
    Response byId = create(user, Map.of("repositoryId", repositoryId.toString()));
    byId.then()
        .statusCode(202)
        .body("repositoryUrl", equalTo(url))
        .body("branch", equalTo("develop"));
    UUID first = UUID.fromString(byId.path("id"));
    assertThat(byId.asString()).doesNotContain(token);
    assertCarriesToken(first, token);

    // By a URL that names the same repository in another spelling, with a branch of its own.
    Response byUrl =
        create(
            user,
            Map.of(
                "repositoryUrl",
                url.replace("github.com", "GitHub.com").replace(".git", "/"),
                "branch",
                "feature/x"));
    byUrl.then().statusCode(202).body("branch", equalTo("feature/x"));
    UUID second = UUID.fromString(byUrl.path("id"));
    assertCarriesToken(second, token);

    // A re-provisioning (the sandbox was lost) sends the credential again.
    fromGateway(first, user, new SandboxProvisioned("local", "sbx", Instant.now()));
    awaitState(user, first, SessionState.READY);
    fromGateway(first, user, new SandboxLost("gone", Instant.now()));
    awaitState(user, first, SessionState.RECOVERING);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> emitted(first, SessionRequested.class).size() == 2);
    assertCarriesToken(first, token);

    // The credential removed: later sessions clone without one.
    fromRepositories(
        repositoryId,
        user,
        new RepositoryUpdated(
            repositoryId,
            url,
            RepositoryUrls.normalize(url),
            "main",
            "GITHUB",
            null,
            null,
            Instant.now()));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                count(
                        "SELECT count(*) FROM known_repository WHERE id = $1 AND"
                            + " sealed_credential IS NULL AND default_branch = 'main'",
                        repositoryId)
                    == 1);
    as(user).delete("/api/v1/sessions/" + second).then().statusCode(202);
    Response without = create(user, Map.of("repositoryId", repositoryId.toString()));
    without.then().statusCode(202).body("branch", equalTo("main"));
    assertThat(emitted(UUID.fromString(without.path("id")), SessionRequested.class).get(0))
        .extracting(SessionRequested::gitCredential)
        .isNull();

    // Removed: the id is no longer known.
    fromRepositories(repositoryId, user, new RepositoryRemoved(repositoryId, Instant.now()));
    awaitKnown(repositoryId, 0);
    create(user, Map.of("repositoryId", repositoryId.toString()))
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("errors.field", contains("repositoryId"));
  }

  @Test
  void anotherUsersRepositoryLendsNothing() {
    String owner = newUser();
    String stranger = newUser();
    String token = "ghp_" + UUID.randomUUID().toString().replace("-", "");
    UUID repositoryId = UUID.randomUUID();
    String url = "https://github.com/acme/theirs-" + repositoryId;
    fromRepositories(
        repositoryId,
        owner,
        new RepositoryRegistered(
            repositoryId,
            url,
            RepositoryUrls.normalize(url),
            "main",
            "GITHUB",
            secrets.seal(token, SecretContexts.repositoryCredential(repositoryId)),
            Instant.now(),
            Instant.now()));
    awaitKnown(repositoryId, 1);

    create(stranger, Map.of("repositoryId", repositoryId.toString()))
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("errors.field", contains("repositoryId"));
    // The same URL, given by someone else: cloned without the owner's credential.
    Response same = create(stranger, Map.of("repositoryUrl", url));
    same.then().statusCode(202);
    assertThat(emitted(UUID.fromString(same.path("id")), SessionRequested.class).get(0))
        .extracting(SessionRequested::gitCredential)
        .isNull();
  }

  @Test
  void neitherUrlNorIdOrAUrlThatIsNotTheRepositorysIsRefused() {
    String user = newUser();
    UUID repositoryId = UUID.randomUUID();
    String url = "https://github.com/acme/mismatch-" + repositoryId;
    fromRepositories(
        repositoryId,
        user,
        new RepositoryRegistered(
            repositoryId,
            url,
            RepositoryUrls.normalize(url),
            "main",
            "GITHUB",
            null,
            null,
            Instant.now()));
    awaitKnown(repositoryId, 1);
    create(user, new HashMap<>(Map.of("branch", "main")))
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("errors.field", contains("repositoryUrl"));
    create(
            user,
            Map.of(
                "repositoryId",
                repositoryId.toString(),
                "repositoryUrl",
                "https://github.com/acme/other"))
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("errors.field", contains("repositoryUrl"));
    create(user, Map.of("repositoryId", "not-a-uuid"))
        .then()
        .statusCode(400)
        .contentType("application/problem+json");
  }

  private void assertCarriesToken(UUID session, String token) {
    List<SessionRequested> requests = emitted(session, SessionRequested.class);
    assertThat(requests).isNotEmpty();
    for (SessionRequested request : requests) {
      String sealed = request.gitCredential();
      assertThat(sealed).isNotNull().doesNotContain(token);
      assertThat(secrets.open(sealed, SecretContexts.sessionGitCredential(session)))
          .isEqualTo(token);
      assertThatThrownBy(
              () -> secrets.open(sealed, SecretContexts.sessionGitCredential(UUID.randomUUID())))
          .isInstanceOf(SecretBox.SecretException.class);
    }
    assertThat(emitted(session))
        .allSatisfy(e -> assertThat(e.data().toString()).doesNotContain(token));
    assertThat(row(session).getString("git_credential")).isNotBlank().doesNotContain(token);
  }

  private static void fromRepositories(UUID repositoryId, String user, Event event) {
    send(Topics.REPOSITORIES, "repository-service", repositoryId.toString(), user, event);
  }

  private static void awaitKnown(UUID repositoryId, long expected) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                count("SELECT count(*) FROM known_repository WHERE id = $1", repositoryId)
                    == expected);
  }
}
