package dev.remoteclaude.task;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.hasKey;

import dev.remoteclaude.testing.ServiceBasicsContract;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

@QuarkusTest
class TaskServiceBasicsTest extends ServiceBasicsContract {
  @Override
  protected String protectedPath() {
    return "/api/v1/tasks/00000000-0000-0000-0000-000000000000";
  }

  @Test
  void openApiDocumentsTheTaskEndpoints() {
    given()
        .accept("application/json")
        .get("/q/openapi")
        .then()
        .statusCode(200)
        .body("paths", hasKey("/api/v1/sessions/{sessionId}/tasks"))
        .body("paths", hasKey("/api/v1/tasks/{taskId}"))
        .body("paths", hasKey("/api/v1/tasks/{taskId}/cancel"));
  }
}
