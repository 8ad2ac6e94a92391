package dev.remoteclaude.repository.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;

import dev.remoteclaude.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
class RepositoryPagingTest {

  private static final String PROBLEM = "application/problem+json";
  private static final String REPOSITORIES = "/api/v1/repositories";

  @Test
  void pagesOfAnySizeAnswer200Or400NeverAnError() {
    as(user())
        .queryParam("page", Integer.MAX_VALUE)
        .queryParam("size", 100)
        .get(REPOSITORIES)
        .then()
        .statusCode(400)
        .contentType(PROBLEM)
        .body("errors.field", contains("page"));
    as(user())
        .queryParam("page", 1_000_000)
        .queryParam("size", 100)
        .get(REPOSITORIES)
        .then()
        .statusCode(200)
        .body("$", hasSize(0));
    for (String[] query :
        List.of(
            new String[] {"size", String.valueOf(Integer.MAX_VALUE)},
            new String[] {"page", "-1"},
            new String[] {"size", "0"})) {
      as(user())
          .queryParam(query[0], query[1])
          .get(REPOSITORIES)
          .then()
          .statusCode(400)
          .contentType(PROBLEM)
          .body(not(containsString("Exception")));
    }
  }

  private static String user() {
    return "user-" + UUID.randomUUID();
  }

  private static RequestSpecification as(String user) {
    return given().auth().oauth2(Tokens.forUser(user));
  }
}
