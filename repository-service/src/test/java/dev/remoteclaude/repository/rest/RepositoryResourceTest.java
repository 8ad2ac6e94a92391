package dev.remoteclaude.repository.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import dev.remoteclaude.testing.Tokens;
import io.quarkus.arc.Arc;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Registering, reading, changing and removing repositories over the REST API. */
@QuarkusTest
class RepositoryResourceTest {

  static final String PROBLEM = "application/problem+json";
  static final String REPOSITORIES = "/api/v1/repositories";

  @Test
  void registersShowsListsChangesAndRemovesARepositoryWithoutEverReturningItsToken() {
    String user = newUser();
    String token = "ghp_" + UUID.randomUUID().toString().replace("-", "");
    String newToken = "glpat-" + UUID.randomUUID();
    String url = "https://github.com/acme/app-" + UUID.randomUUID() + ".git";
    List<String> bodies = new ArrayList<>();

    Response created =
        register(user, Map.of("url", url, "defaultBranch", "develop", "credential", cred(token)));
    bodies.add(created.then().statusCode(201).extract().asString());
    String id = created.path("id");
    assertThat(created.header("Location")).endsWith(REPOSITORIES + "/" + id);
    created
        .then()
        .body("url", equalTo(url))
        .body("defaultBranch", equalTo("develop"))
        .body("forge", equalTo("GITHUB"))
        .body("hasCredential", equalTo(true))
        .body("credentialSetAt", notNullValue())
        .body("createdAt", notNullValue());

    Response shown = as(user).get(REPOSITORIES + "/" + id);
    bodies.add(shown.then().statusCode(200).body("id", equalTo(id)).extract().asString());
    Response listed = as(user).get(REPOSITORIES);
    bodies.add(listed.then().statusCode(200).body("id", contains(id)).extract().asString());

    // A new token replaces the old one; the forge can be corrected.
    Response changed =
        as(user)
            .body(Map.of("credential", cred(newToken), "forge", "gitea"))
            .patch(REPOSITORIES + "/" + id);
    bodies.add(
        changed
            .then()
            .statusCode(200)
            .body("forge", equalTo("GITEA"))
            .body("defaultBranch", equalTo("develop"))
            .body("hasCredential", equalTo(true))
            .extract()
            .asString());
    String stored = storedCredential(UUID.fromString(id));
    assertThat(stored).isNotBlank().doesNotContain(token).doesNotContain(newToken);

    // The credential can be removed.
    as(user)
        .body(Map.of("removeCredential", true, "defaultBranch", "main"))
        .patch(REPOSITORIES + "/" + id)
        .then()
        .statusCode(200)
        .body("hasCredential", equalTo(false))
        .body("credentialSetAt", nullValue())
        .body("defaultBranch", equalTo("main"));
    assertThat(storedCredential(UUID.fromString(id))).isNull();

    as(user).delete(REPOSITORIES + "/" + id).then().statusCode(204);
    as(user).get(REPOSITORIES + "/" + id).then().statusCode(404).contentType(PROBLEM);
    as(user).get(REPOSITORIES).then().statusCode(200).body("$", hasSize(0));
    as(user).delete(REPOSITORIES + "/" + id).then().statusCode(404).contentType(PROBLEM);

    assertThat(bodies)
        .isNotEmpty()
        .allSatisfy(b -> assertThat(b).doesNotContain(token).doesNotContain(newToken));
  }

  @Test
  void theSameRepositoryUnderAnotherSpellingIsAConflict() {
    String user = newUser();
    String path = "acme/dup-" + UUID.randomUUID();
    register(user, Map.of("url", "https://github.com/" + path + ".git"))
        .then()
        .statusCode(201)
        .body("hasCredential", equalTo(false))
        .body("defaultBranch", equalTo("main"));
    register(user, Map.of("url", "https://GitHub.com/" + path + "/"))
        .then()
        .statusCode(409)
        .contentType(PROBLEM)
        .body("detail", containsString("is registered already"));
    // Another user may register the same URL.
    register(newUser(), Map.of("url", "https://github.com/" + path)).then().statusCode(201);
  }

  @Test
  void theForgeIsDetectedFromWellKnownHostsOrGiven() {
    String user = newUser();
    String suffix = "/acme/app-" + UUID.randomUUID();
    register(user, Map.of("url", "https://gitlab.com" + suffix))
        .then()
        .statusCode(201)
        .body("forge", equalTo("GITLAB"));
    register(user, Map.of("url", "https://bitbucket.org" + suffix))
        .then()
        .statusCode(201)
        .body("forge", equalTo("BITBUCKET"));
    register(user, Map.of("url", "https://codeberg.org" + suffix))
        .then()
        .statusCode(201)
        .body("forge", equalTo("GITEA"));
    register(user, Map.of("url", "https://git.example.com" + suffix, "forge", "GITLAB"))
        .then()
        .statusCode(201)
        .body("forge", equalTo("GITLAB"));
  }

  @Test
  void badInputAnswers400NamingTheFieldWithoutLeakingInternals() {
    String user = newUser();
    String token = "secret-" + UUID.randomUUID();
    String ok = "https://github.com/acme/x-" + UUID.randomUUID();
    Map<String, Object> missingUrl = new HashMap<>();
    missingUrl.put("credential", cred(token));
    List<Object[]> cases =
        List.of(
            new Object[] {Map.of("url", "http://github.com/acme/app"), "url"},
            new Object[] {Map.of("url", "file:///tmp/repo"), "url"},
            new Object[] {Map.of("url", "https://127.0.0.1/acme/app"), "url"},
            new Object[] {Map.of("url", "https://localhost/acme/app"), "url"},
            new Object[] {Map.of("url", "https://user:pw@github.com/acme/app"), "url"},
            new Object[] {Map.of("url", "not a url at all"), "url"},
            new Object[] {missingUrl, "url"},
            new Object[] {Map.of("url", ok, "forge", "SOURCEFORGE"), "forge"},
            new Object[] {Map.of("url", "https://git.example.com/acme/app"), "forge"},
            new Object[] {Map.of("url", ok, "defaultBranch", "../etc"), "defaultBranch"},
            new Object[] {Map.of("url", ok, "credential", Map.of("token", "")), "credential.token"},
            new Object[] {
              Map.of("url", ok, "credential", Map.of("token", token + "\n")), "credential.token"
            },
            new Object[] {Map.of("url", ok, "credential", cred(token), "owner", "x"), "owner"});
    for (Object[] c : cases) {
      Response response = register(user, c[0]);
      assertThat(response.statusCode()).as("%s: %s", c[0], response.asString()).isEqualTo(400);
      String body =
          response
              .then()
              .contentType(PROBLEM)
              .body("errors.field", contains((String) c[1]))
              .extract()
              .asString();
      assertThat(body).doesNotContain("Exception").doesNotContain(token).doesNotContain("dev.");
    }
    as(user)
        .body("{\"url\": ")
        .post(REPOSITORIES)
        .then()
        .statusCode(400)
        .contentType(PROBLEM)
        .body(not(containsString("Exception")));
    as(user).get(REPOSITORIES).then().statusCode(200).body("$", hasSize(0));

    // Changes are checked too.
    String id = register(user, Map.of("url", ok)).then().statusCode(201).extract().path("id");
    as(user)
        .body(Map.of("forge", "CVS"))
        .patch(REPOSITORIES + "/" + id)
        .then()
        .statusCode(400)
        .contentType(PROBLEM)
        .body("errors.field", contains("forge"));
    as(user)
        .body(Map.of("credential", cred(token), "removeCredential", true))
        .patch(REPOSITORIES + "/" + id)
        .then()
        .statusCode(400)
        .contentType(PROBLEM)
        .body("errors.field", contains("removeCredential"));
    as(user)
        .body(Map.of("url", "https://github.com/other/repo"))
        .patch(REPOSITORIES + "/" + id)
        .then()
        .statusCode(400)
        .contentType(PROBLEM)
        .body("errors.field", contains("url"));
  }

  @Test
  void anotherUserGets404() {
    String owner = newUser();
    String stranger = newUser();
    String id =
        register(owner, Map.of("url", "https://github.com/acme/mine-" + UUID.randomUUID()))
            .then()
            .statusCode(201)
            .extract()
            .path("id");
    as(stranger).get(REPOSITORIES + "/" + id).then().statusCode(404).contentType(PROBLEM);
    as(stranger)
        .body(Map.of("defaultBranch", "evil"))
        .patch(REPOSITORIES + "/" + id)
        .then()
        .statusCode(404)
        .contentType(PROBLEM);
    as(stranger).delete(REPOSITORIES + "/" + id).then().statusCode(404).contentType(PROBLEM);
    as(stranger).get(REPOSITORIES).then().statusCode(200).body("$", hasSize(0));
    // Untouched.
    as(owner)
        .get(REPOSITORIES + "/" + id)
        .then()
        .statusCode(200)
        .body("defaultBranch", equalTo("main"));
    given().get(REPOSITORIES + "/" + id).then().statusCode(401);
  }

  static Map<String, String> cred(String token) {
    return Map.of("token", token);
  }

  static Response register(String user, Object body) {
    return as(user).body(body).post(REPOSITORIES);
  }

  static String newUser() {
    return "user-" + UUID.randomUUID();
  }

  static RequestSpecification as(String user) {
    return given().auth().oauth2(Tokens.forUser(user)).contentType(ContentType.JSON);
  }

  static String storedCredential(UUID id) {
    Pool pool = Arc.container().instance(Pool.class).get();
    Row row =
        pool.preparedQuery("SELECT sealed_credential FROM repository WHERE id = $1")
            .execute(Tuple.of(id))
            .await()
            .indefinitely()
            .iterator()
            .next();
    return row.getString("sealed_credential");
  }
}
