package dev.remoteclaude.common.problem;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import dev.remoteclaude.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ProblemAndAuthTest {

  private static final String PROBLEM = "application/problem+json";

  @Test
  void requestWithoutTokenGets401Problem() {
    given()
        .when()
        .get("/api/v1/notes/me")
        .then()
        .statusCode(401)
        .contentType(PROBLEM)
        .header("WWW-Authenticate", containsString("Bearer"))
        .body("status", equalTo(401))
        .body("title", equalTo("Unauthorized"));
  }

  @Test
  void tokenForTheWrongIssuerGets401() {
    given()
        .auth()
        .oauth2(Tokens.withIssuer("alice", "https://evil.example"))
        .when()
        .get("/api/v1/notes/me")
        .then()
        .statusCode(401);
  }

  @Test
  void tokenForTheWrongAudienceGets401() {
    given()
        .auth()
        .oauth2(Tokens.withAudience("alice", "some-other-api"))
        .when()
        .get("/api/v1/notes/me")
        .then()
        .statusCode(401);
  }

  @Test
  void tokenSignedByAnUntrustedKeyOrExpiredGets401() {
    given()
        .auth()
        .oauth2(Tokens.signedByStranger("alice"))
        .get("/api/v1/notes/me")
        .then()
        .statusCode(401);
    given().auth().oauth2(Tokens.expired("alice")).get("/api/v1/notes/me").then().statusCode(401);
    given()
        .header("Authorization", "Bearer not-a-jwt")
        .get("/api/v1/notes/me")
        .then()
        .statusCode(401);
  }

  @Test
  void validTokenIdentifiesTheUserBySubject() {
    given()
        .auth()
        .oauth2(Tokens.forUser("alice"))
        .when()
        .get("/api/v1/notes/me")
        .then()
        .statusCode(200)
        .body("user", equalTo("alice"));
  }

  @Test
  void invalidFieldsGet400ProblemNamingEachField() {
    given()
        .auth()
        .oauth2(Tokens.forUser("alice"))
        .contentType(ContentType.JSON)
        .body("{\"text\": \"\", \"priority\": 9}")
        .when()
        .post("/api/v1/notes")
        .then()
        .statusCode(400)
        .contentType(PROBLEM)
        .body("status", equalTo(400))
        .body("errors.field", hasItem("text"))
        .body("errors.field", hasItem("priority"));
  }

  @Test
  void anInvalidListElementIsNamedByItsIndex() {
    given()
        .auth()
        .oauth2(Tokens.forUser("alice"))
        .contentType(ContentType.JSON)
        .body("{\"text\": \"hi\", \"priority\": 1, \"tags\": [\"ok\", \" \"]}")
        .when()
        .post("/api/v1/notes")
        .then()
        .statusCode(400)
        .body("errors[0].field", equalTo("tags[1]"));
  }

  @Test
  void tooManyRequestsSaysWhenToRetry() {
    given()
        .auth()
        .oauth2(Tokens.forUser("alice"))
        .get("/api/v1/notes/busy")
        .then()
        .statusCode(429)
        .header("Retry-After", "7")
        .body("retryAfterSeconds", equalTo(7));
  }

  @Test
  void unknownFieldGets400NamingIt() {
    given()
        .auth()
        .oauth2(Tokens.forUser("alice"))
        .contentType(ContentType.JSON)
        .body("{\"text\": \"hi\", \"priority\": 1, \"isAdmin\": true}")
        .when()
        .post("/api/v1/notes")
        .then()
        .statusCode(400)
        .contentType(PROBLEM)
        .body("errors[0].field", equalTo("isAdmin"))
        .body("detail", containsString("isAdmin"));
  }

  @Test
  void wrongTypeAndMalformedJsonGet400() {
    given()
        .auth()
        .oauth2(Tokens.forUser("alice"))
        .contentType(ContentType.JSON)
        .body("{\"text\": \"hi\", \"priority\": \"high\"}")
        .when()
        .post("/api/v1/notes")
        .then()
        .statusCode(400)
        .contentType(PROBLEM)
        .body("errors[0].field", equalTo("priority"));

    given()
        .auth()
        .oauth2(Tokens.forUser("alice"))
        .contentType(ContentType.JSON)
        .body("{\"text\": ")
        .when()
        .post("/api/v1/notes")
        .then()
        .statusCode(400)
        .contentType(PROBLEM)
        .body("title", equalTo("Malformed request body"));

    given()
        .auth()
        .oauth2(Tokens.forUser("alice"))
        .contentType(ContentType.JSON)
        .when()
        .post("/api/v1/notes")
        .then()
        .statusCode(400)
        .contentType(PROBLEM);
  }

  @Test
  void domainErrorsAndUnknownRoutesAreProblems() {
    given()
        .auth()
        .oauth2(Tokens.forUser("alice"))
        .get("/api/v1/notes/123")
        .then()
        .statusCode(404)
        .contentType(PROBLEM)
        .body("detail", equalTo("note 123 was not found"))
        .body("instance", equalTo("/api/v1/notes/123"));

    given()
        .auth()
        .oauth2(Tokens.forUser("alice"))
        .get("/api/v1/nothing-here")
        .then()
        .statusCode(404)
        .contentType(PROBLEM);
  }

  @Test
  void unexpectedErrorsLeakNothing() {
    given()
        .auth()
        .oauth2(Tokens.forUser("alice"))
        .get("/api/v1/notes/boom")
        .then()
        .statusCode(500)
        .contentType(PROBLEM)
        .body(not(containsString("IllegalStateException")))
        .body(not(containsString("org.example")))
        .body(not(containsString("hunter2")))
        .body(not(containsString("at dev.remoteclaude")))
        .body("incident", org.hamcrest.Matchers.notNullValue());
  }

  @Test
  void healthIsOpenAndReportsTheRealDependencies() {
    given()
        .get("/q/health/ready")
        .then()
        .statusCode(200)
        .body("status", equalTo("UP"))
        .body("checks.name", hasItem(containsString("Reactive PostgreSQL")))
        .body("checks.name", hasItem(containsString("Reactive Messaging")));
  }
}
