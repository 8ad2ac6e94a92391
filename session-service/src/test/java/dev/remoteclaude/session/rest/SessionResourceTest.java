package dev.remoteclaude.session.rest;

import static dev.remoteclaude.session.SessionFixtures.REPO;
import static dev.remoteclaude.session.SessionFixtures.SESSIONS;
import static dev.remoteclaude.session.SessionFixtures.as;
import static dev.remoteclaude.session.SessionFixtures.body;
import static dev.remoteclaude.session.SessionFixtures.create;
import static dev.remoteclaude.session.SessionFixtures.createSession;
import static dev.remoteclaude.session.SessionFixtures.emitted;
import static dev.remoteclaude.session.SessionFixtures.forceState;
import static dev.remoteclaude.session.SessionFixtures.newUser;
import static dev.remoteclaude.session.SessionFixtures.stateChanges;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;

import dev.remoteclaude.api.SessionState;
import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.common.events.SessionRequested;
import dev.remoteclaude.common.events.SessionStateChanged;
import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.testing.KafkaProbe;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@QuarkusTest
class SessionResourceTest {

  private static final String PROBLEM = "application/problem+json";

  @Test
  void createAnswers202WithLocationAndTheSessionInProvisioningAndAnnouncesIt() {
    String user = newUser();
    try (KafkaProbe probe = KafkaProbe.watch(Topics.SESSIONS)) {
      Response response =
          create(
              user,
              body(
                  "branch", "feature/x",
                  "idleTimeout", "PT10M",
                  "maxLifetime", "PT3H",
                  "environment", Map.of("API_URL", "https://api.example.com", "DEBUG", "1"),
                  "setupCommands", List.of("npm ci")));

      response
          .then()
          .statusCode(202)
          .header("Location", endsWith(SESSIONS + "/" + response.path("id")))
          .body("state", equalTo("PROVISIONING"))
          .body("repositoryUrl", equalTo(REPO))
          .body("branch", equalTo("feature/x"))
          .body("provider", equalTo("local"))
          .body("idleTimeout", equalTo("PT10M"))
          .body("maxLifetime", equalTo("PT3H"))
          .body("environmentVariables", contains("API_URL", "DEBUG"))
          .body("setupCommandCount", equalTo(1))
          .body("setupCommands", nullValue())
          .body("expiresAt", org.hamcrest.Matchers.notNullValue());
      UUID id = UUID.fromString(response.path("id"));
      Instant stateChangedAt = Instant.parse(response.path("stateChangedAt"));

      List<SessionStateChanged> changes = stateChanges(id);
      assertThat(changes).hasSize(1);
      assertThat(changes.get(0).from()).isNull();
      assertThat(changes.get(0).to()).isEqualTo("PROVISIONING");
      assertThat(changes.get(0).at()).isEqualTo(stateChangedAt);
      SessionRequested requested = emitted(id, SessionRequested.class).get(0);
      assertThat(requested.repositoryUrl()).isEqualTo(REPO);
      assertThat(requested.branch()).isEqualTo("feature/x");
      assertThat(requested.setupCommands()).containsExactly("npm ci");
      assertThat(requested.environment()).containsOnlyKeys("API_URL", "DEBUG");
      assertThat(requested.restoreSnapshotId()).isNull();

      // Through the outbox onto Kafka, keyed by the session, attributed to the owner.
      var record =
          probe.awaitRecord(r -> id.toString().equals(r.key()) && r.value().contains("requested"));
      assertThat(EventCodec.read(record.value()).userId()).isEqualTo(user);
    }
  }

  @Test
  void setupCommandsAreCountedButTheirTextIsNeverShown() {
    String user = newUser();
    String secret = "marker-" + UUID.randomUUID();
    Response created =
        create(
            user,
            body(
                "setupCommands",
                List.of("npm ci", "curl -H 'Authorization: Bearer " + secret + "' example.com")));
    created.then().statusCode(202).body("setupCommandCount", equalTo(2));
    assertThat(created.asString()).doesNotContain(secret);
    UUID id = UUID.fromString(created.path("id"));
    as(user)
        .get(SESSIONS + "/" + id)
        .then()
        .statusCode(200)
        .body("setupCommandCount", equalTo(2))
        .body(org.hamcrest.Matchers.not(containsString(secret)));
    as(user)
        .get(SESSIONS)
        .then()
        .statusCode(200)
        .body(org.hamcrest.Matchers.not(containsString(secret)));
    // The gateway still gets the commands to run.
    assertThat(emitted(id, SessionRequested.class).get(0).setupCommands())
        .anySatisfy(command -> assertThat(command).contains(secret));
  }

  @Test
  void createAppliesTheConfiguredDefaults() {
    String user = newUser();
    create(user, Map.of("repositoryUrl", REPO))
        .then()
        .statusCode(202)
        .body("provider", equalTo("local"))
        .body("idleTimeout", equalTo("PT5M"))
        .body("maxLifetime", equalTo("PT12H"))
        .body("branch", nullValue())
        .body("environmentVariables.size()", equalTo(0));
  }

  @Test
  void anotherUsersSessionsWorkingBranchCannotBeTakenButOnesOwnCanBeContinued() {
    String owner = newUser();
    UUID first = createSession(owner);
    String working = "claude/" + first.toString().substring(0, 8);

    // Its owner may continue it (and a branch under it) in a new session.
    createSession(owner, "branch", working);
    createSession(owner, "branch", working + "/fix");

    // Another user may not: the gateway would let their session push to it.
    for (String branch : List.of(working, working + "/fix")) {
      create(newUser(), body("branch", branch))
          .then()
          .statusCode(400)
          .contentType("application/problem+json")
          .body("errors[0].field", equalTo("branch"))
          .body("errors[0].message", containsString("not yours"));
    }
    // A working branch of nobody's session is refused alike (nothing says whether one exists),
    // and other claude/ branches are anyone's to name.
    create(newUser(), body("branch", "claude/00000000")).then().statusCode(400);
    createSession(newUser(), "branch", "claude/feature-x");
    createSession(newUser(), "branch", "claude/" + first.toString().substring(0, 7));
  }

  @Test
  void getAnswersTheOwnersSession() {
    String user = newUser();
    UUID id = createSession(user);
    as(user)
        .get(SESSIONS + "/" + id)
        .then()
        .statusCode(200)
        .body("id", equalTo(id.toString()))
        .body("state", equalTo("PROVISIONING"));
  }

  @Test
  void anotherUserGets404ExactlyLikeAMissingSession() {
    String owner = newUser();
    String stranger = newUser();
    UUID id = createSession(owner);
    String missing = SESSIONS + "/" + UUID.randomUUID();

    for (String path : List.of(SESSIONS + "/" + id, missing)) {
      String detailPrefix = "session ";
      as(stranger)
          .get(path)
          .then()
          .statusCode(404)
          .contentType(PROBLEM)
          .body("detail", containsString(detailPrefix));
      as(stranger).post(path + "/pause").then().statusCode(404).contentType(PROBLEM);
      as(stranger).post(path + "/resume").then().statusCode(404).contentType(PROBLEM);
      as(stranger)
          .body(Map.of("duration", "PT1H"))
          .post(path + "/extend")
          .then()
          .statusCode(404)
          .contentType(PROBLEM);
      as(stranger).delete(path).then().statusCode(404).contentType(PROBLEM);
    }
    as(stranger).get(SESSIONS).then().statusCode(200).body("total", equalTo(0));
    // Nothing the stranger did touched the owner's session.
    assertThat(stateChanges(id)).hasSize(1);
    as(owner)
        .get(SESSIONS + "/" + id)
        .then()
        .statusCode(200)
        .body("state", equalTo("PROVISIONING"));
  }

  @Test
  void malformedSessionIdAnswers404Problem() {
    as(newUser()).get(SESSIONS + "/not-a-uuid").then().statusCode(404).contentType(PROBLEM);
  }

  @Test
  void listIsPagedNewestFirstFilteredByStateWithAClampedPageSize() {
    String user = newUser();
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(createSession(user));
    }
    // Quota counts active sessions; make room and states to filter on.
    forceState(ids.get(0), SessionState.TERMINATED);
    forceState(ids.get(1), SessionState.PAUSED);

    as(user)
        .get(SESSIONS)
        .then()
        .statusCode(200)
        .body("total", equalTo(3))
        .body("page", equalTo(0))
        .body("size", equalTo(20))
        .body(
            "items.id",
            contains(ids.get(2).toString(), ids.get(1).toString(), ids.get(0).toString()));
    as(user)
        .queryParam("size", 2)
        .queryParam("page", 1)
        .get(SESSIONS)
        .then()
        .statusCode(200)
        .body("items.id", contains(ids.get(0).toString()))
        .body("total", equalTo(3));
    as(user)
        .queryParam("state", "PAUSED")
        .queryParam("state", "provisioning")
        .get(SESSIONS)
        .then()
        .statusCode(200)
        .body("total", equalTo(2))
        .body("items.state", contains("PROVISIONING", "PAUSED"));
    as(user)
        .queryParam("state", "TERMINATED,PAUSED")
        .get(SESSIONS)
        .then()
        .statusCode(200)
        .body("total", equalTo(2));
    as(user)
        .queryParam("size", 100000)
        .get(SESSIONS)
        .then()
        .statusCode(200)
        .body("size", equalTo(100));
    as(user).queryParam("size", 0).get(SESSIONS).then().statusCode(200).body("size", equalTo(20));
  }

  @Test
  void listRefusesAnUnknownStateAndANegativePage() {
    String user = newUser();
    as(user)
        .queryParam("state", "SLEEPING")
        .get(SESSIONS)
        .then()
        .statusCode(400)
        .contentType(PROBLEM)
        .body("errors.field", hasItem("state"));
    as(user)
        .queryParam("page", -1)
        .get(SESSIONS)
        .then()
        .statusCode(400)
        .contentType(PROBLEM)
        .body("errors.field", hasItem("page"));
  }

  @Test
  void pagesOfAnySizeAnswer200Or400NeverAnError() {
    String user = newUser();
    createSession(user);
    as(user)
        .queryParam("page", Integer.MAX_VALUE)
        .queryParam("size", Integer.MAX_VALUE)
        .get(SESSIONS)
        .then()
        .statusCode(400)
        .contentType(PROBLEM)
        .body("errors.field", hasItem("page"));
    as(user)
        .queryParam("page", 1_000_000)
        .queryParam("size", Integer.MAX_VALUE)
        .get(SESSIONS)
        .then()
        .statusCode(200)
        .body("size", equalTo(100))
        .body("total", equalTo(1))
        .body("items.size()", equalTo(0));
  }

  @Test
  void anEnvironmentLargerThanTheTotalLimitIsRefusedNamingTheLimit() {
    String user = newUser();
    String value = "v".repeat(32 * 1024);
    Map<String, String> tooMuch = new java.util.LinkedHashMap<>();
    for (int i = 0; i < 9; i++) {
      tooMuch.put("VAR_" + i, value);
    }
    create(user, body("environment", tooMuch))
        .then()
        .statusCode(400)
        .contentType(PROBLEM)
        .body("errors.field", hasItem("environment"))
        .body("detail", containsString("at most 262144 bytes"))
        .body(org.hamcrest.Matchers.not(containsString("vvvvvvvv")));
    as(user).get(SESSIONS).then().body("total", equalTo(0));

    Map<String, String> enough = new java.util.LinkedHashMap<>();
    for (int i = 0; i < 7; i++) {
      enough.put("VAR_" + i, value);
    }
    create(user, body("environment", enough)).then().statusCode(202);
  }

  @Test
  void aRegionThePlatformDoesNotOfferAnswers400NamingTheFieldAndOneItOffersReachesTheGateway() {
    String user = newUser();
    create(user, body("provider", "local", "region", "mars-1"))
        .then()
        .statusCode(400)
        .contentType(PROBLEM)
        .body("errors.field", hasItem("region"))
        .body("detail", containsString("[eu-west, us-east]"));
    as(user).get(SESSIONS).then().body("total", equalTo(0));

    Response created = create(user, body("provider", "local", "region", "eu-west"));
    created.then().statusCode(202);
    UUID id = UUID.fromString(created.path("id"));
    assertThat(emitted(id, SessionRequested.class).get(0).region()).isEqualTo("eu-west");
  }

  static Stream<Arguments> invalidRequests() {
    return Stream.of(
        Arguments.of("repositoryUrl", "http://github.com/acme/app.git"),
        Arguments.of("repositoryUrl", "ssh://git@github.com/acme/app.git"),
        Arguments.of("repositoryUrl", "git@github.com:acme/app.git"),
        Arguments.of("repositoryUrl", "file:///etc/passwd"),
        Arguments.of("repositoryUrl", "https://token:x-oauth@github.com/acme/app.git"),
        Arguments.of("repositoryUrl", "https://127.0.0.1/repo.git"),
        Arguments.of("repositoryUrl", "https://localhost/repo.git"),
        Arguments.of("repositoryUrl", "https://git.localhost/repo.git"),
        Arguments.of("repositoryUrl", "https://10.1.2.3/repo.git"),
        Arguments.of("repositoryUrl", "https://192.168.0.10/repo.git"),
        Arguments.of("repositoryUrl", "https://172.16.5.4/repo.git"),
        Arguments.of("repositoryUrl", "https://169.254.169.254/latest/meta-data"),
        Arguments.of("repositoryUrl", "https://[::1]/repo.git"),
        Arguments.of("repositoryUrl", "https://[fd00::1]/repo.git"),
        Arguments.of("repositoryUrl", "https://[::ffff:127.0.0.1]/repo.git"),
        Arguments.of("repositoryUrl", "https://2130706433/repo.git"),
        Arguments.of("repositoryUrl", "https://0x7f.1/repo.git"),
        Arguments.of("repositoryUrl", "https://gitserver/repo.git"),
        Arguments.of("repositoryUrl", "https://metadata.google.internal/repo.git"),
        Arguments.of("repositoryUrl", "not a url at all"),
        Arguments.of("repositoryUrl", ""),
        Arguments.of("repositoryUrl", null),
        Arguments.of("provider", "daytona"),
        Arguments.of("idleTimeout", "PT0S"),
        Arguments.of("idleTimeout", "PT9H"),
        Arguments.of("idleTimeout", "five minutes"),
        Arguments.of("maxLifetime", "PT1S"),
        Arguments.of("maxLifetime", "PT25H"),
        Arguments.of("branch", "-rf"),
        Arguments.of("branch", "a..b"),
        Arguments.of("environment", Map.of("1BAD", "x")),
        Arguments.of("environment", Map.of("WITH SPACE", "x")),
        Arguments.of("setupCommands[0]", List.of(" ")));
  }

  @ParameterizedTest(name = "{0} = {1}")
  @MethodSource("invalidRequests")
  void invalidInputAnswers400NamingTheField(String field, Object value) {
    String user = newUser();
    String bodyField = field.replace("[0]", "");
    Map<String, Object> body = body();
    body.put(bodyField, value);
    create(user, body)
        .then()
        .statusCode(400)
        .contentType(PROBLEM)
        .body("errors.field", hasItem(field));
    as(user).get(SESSIONS).then().body("total", equalTo(0));
  }

  @ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.ValueSource(
      strings = {
        "ANTHROPIC_BASE_URL",
        "ANTHROPIC_API_KEY",
        "anthropic_auth_token",
        "CLAUDE_CODE_USE_BEDROCK",
        "LD_PRELOAD",
        "NODE_OPTIONS",
        "NODE_TLS_REJECT_UNAUTHORIZED"
      })
  void variablesThePlatformSetsForClaudeAreRefusedByName(String name) {
    String user = newUser();
    create(user, body("environment", Map.of(name, "https://attacker.example")))
        .then()
        .statusCode(400)
        .contentType(PROBLEM)
        .body("errors.field", hasItem("environment." + name))
        .body(org.hamcrest.Matchers.not(org.hamcrest.Matchers.containsString("attacker")));
    as(user).get(SESSIONS).then().body("total", equalTo(0));
  }

  @Test
  void unknownFieldIsRefusedByName() {
    create(newUser(), body("isAdmin", true))
        .then()
        .statusCode(400)
        .contentType(PROBLEM)
        .body("errors.field", hasItem("isAdmin"));
  }

  @Test
  void anotherAllowedProviderCanBeChosen() {
    create(newUser(), body("provider", "e2b"))
        .then()
        .statusCode(202)
        .body("provider", equalTo("e2b"));
  }

  @Test
  void extendRefusesAMissingOrOutOfRangeDuration() {
    String user = newUser();
    UUID id = createSession(user);
    String extend = SESSIONS + "/" + id + "/extend";
    as(user)
        .body(Map.of())
        .post(extend)
        .then()
        .statusCode(400)
        .body("errors.field", hasItem("duration"));
    as(user)
        .body(Map.of("duration", "PT10H"))
        .post(extend)
        .then()
        .statusCode(400)
        .body("errors.field", hasItem("duration"));
    as(user)
        .body(Map.of("duration", "PT0S"))
        .post(extend)
        .then()
        .statusCode(400)
        .body("errors.field", hasItem("duration"));
  }

  @Test
  void openApiDocumentDescribesTheSessionApi() {
    given()
        .accept(ContentType.JSON)
        .get("/q/openapi")
        .then()
        .statusCode(200)
        .body("paths", org.hamcrest.Matchers.hasKey("/api/v1/sessions"))
        .body("paths", org.hamcrest.Matchers.hasKey("/api/v1/sessions/{id}/extend"))
        .body("paths.'/api/v1/sessions'.post.responses", org.hamcrest.Matchers.hasKey("202"))
        .body(
            "components.schemas.Session.properties",
            org.hamcrest.Matchers.hasKey("environmentVariables"));
  }
}
