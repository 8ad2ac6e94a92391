package dev.remoteclaude.testing;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import org.junit.jupiter.api.Test;

/**
 * What every service must do, whatever it owns: be healthy only with its real database and broker,
 * serve its OpenAPI document, refuse its API without a bearer token. A service's test extends this
 * with {@code @QuarkusTest} and names one of its protected paths.
 */
public abstract class ServiceBasicsContract {

  /** A GET path of the service's API (it need not exist for an authorised caller). */
  protected abstract String protectedPath();

  @Test
  void isReadyWithItsDatabaseAndBroker() {
    given()
        .get("/q/health/ready")
        .then()
        .statusCode(200)
        .body("status", equalTo("UP"))
        .body("checks.name", hasItem(containsString("Reactive PostgreSQL")))
        .body("checks.name", hasItem(containsString("Reactive Messaging")));
    given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
  }

  @Test
  void servesItsOpenApiDocument() {
    given()
        .accept("application/json")
        .get("/q/openapi")
        .then()
        .statusCode(200)
        .body("openapi", org.hamcrest.Matchers.startsWith("3."));
  }

  @Test
  void refusesItsApiWithoutABearerToken() {
    given().get(protectedPath()).then().statusCode(401).contentType("application/problem+json");
    given()
        .auth()
        .oauth2(Tokens.signedByStranger("mallory"))
        .get(protectedPath())
        .then()
        .statusCode(401);
  }
}
