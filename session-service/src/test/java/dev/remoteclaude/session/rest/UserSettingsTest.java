package dev.remoteclaude.session.rest;

import static dev.remoteclaude.session.SessionFixtures.as;
import static dev.remoteclaude.session.SessionFixtures.createSession;
import static dev.remoteclaude.session.SessionFixtures.emitted;
import static dev.remoteclaude.session.SessionFixtures.fromGateway;
import static dev.remoteclaude.session.SessionFixtures.get;
import static dev.remoteclaude.session.SessionFixtures.newUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import dev.remoteclaude.api.SessionState;
import dev.remoteclaude.common.events.SandboxProvisioned;
import dev.remoteclaude.common.events.SessionRequested;
import dev.remoteclaude.session.SessionFixtures;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A user's default provider: validated against the allowed providers, used when a create request
 * names none (a provider on the request wins), the user's own (another user's sessions keep the
 * platform's default). Allowed here: local (the platform's default) and e2b.
 */
@QuarkusTest
class UserSettingsTest {

  private static final String SETTINGS = "/api/v1/settings";

  @Test
  void aUserWithoutSettingsGetsThePlatformsDefault() {
    as(newUser())
        .get(SETTINGS)
        .then()
        .statusCode(200)
        .body("defaultProvider", nullValue())
        .body("effectiveDefaultProvider", equalTo("local"))
        .body("allowedProviders", equalTo(java.util.List.of("e2b", "local")));
  }

  @Test
  void anUnknownProviderIsA400NamingTheField() {
    String user = newUser();
    as(user)
        .body(Map.of("defaultProvider", "nowhere"))
        .put(SETTINGS)
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("errors[0].field", equalTo("defaultProvider"))
        .body("detail", containsString("defaultProvider"))
        .body(not(containsString("Exception")))
        .body(not(containsString("dev.remoteclaude")));
    as(user).get(SETTINGS).then().statusCode(200).body("defaultProvider", nullValue());
  }

  @Test
  void theDefaultIsUsedWhenARequestNamesNoneAndTheRequestWinsOtherwise() {
    String user = newUser();
    as(user)
        .body(Map.of("defaultProvider", "e2b"))
        .put(SETTINGS)
        .then()
        .statusCode(200)
        .body("defaultProvider", equalTo("e2b"))
        .body("effectiveDefaultProvider", equalTo("e2b"))
        .body("updatedAt", not(nullValue()));
    as(user).get(SETTINGS).then().statusCode(200).body("defaultProvider", equalTo("e2b"));

    UUID byDefault = createSession(user);
    get(user, byDefault).then().statusCode(200).body("provider", equalTo("e2b"));
    assertThat(emitted(byDefault, SessionRequested.class))
        .extracting(SessionRequested::provider)
        .containsExactly("e2b");

    UUID explicit = createSession(user, "provider", "local");
    get(user, explicit).then().statusCode(200).body("provider", equalTo("local"));

    // Another user's sessions are not affected.
    String other = newUser();
    UUID others = createSession(other);
    get(other, others).then().statusCode(200).body("provider", equalTo("local"));

    // Cleared: the platform's default again.
    Map<String, Object> clear = new HashMap<>();
    clear.put("defaultProvider", null);
    as(user).body(clear).put(SETTINGS).then().statusCode(200).body("defaultProvider", nullValue());
    UUID cleared = createSession(user);
    get(user, cleared).then().statusCode(200).body("provider", equalTo("local"));
  }

  @Test
  void theProviderTheGatewayUsedIsTheSessionsProvider() {
    String user = newUser();
    UUID id = createSession(user, "provider", "e2b");
    // the gateway failed over: the sandbox is at another provider
    fromGateway(id, user, new SandboxProvisioned("local", "sbx-" + id, Instant.now()));
    SessionFixtures.awaitState(user, id, SessionState.READY);
    get(user, id).then().statusCode(200).body("provider", equalTo("local"));
  }

  @Test
  void settingsNeedAUser() {
    io.restassured.RestAssured.given().get(SETTINGS).then().statusCode(401);
    io.restassured.RestAssured.given()
        .contentType("application/json")
        .body("{\"defaultProvider\": \"local\"}")
        .put(SETTINGS)
        .then()
        .statusCode(401);
  }
}
