package dev.remoteclaude.cli.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProblemsTest {

  private static final String PROBLEM = "application/problem+json";

  @Test
  void aProblemIsItsDetailWithStatusAndTitle() {
    String body =
        """
        {"type":"https://remote-claude.dev/problems/conflict","title":"Conflict","status":409,
         "detail":"a session in state PAUSED cannot be paused","instance":"/api/v1/sessions/x/pause"}
        """;

    assertThat(Problems.oneLine(409, PROBLEM, body, null))
        .isEqualTo("a session in state PAUSED cannot be paused (409 Conflict)");
  }

  @Test
  void theTitleIsNotRepeatedWhenTheDetailSaysIt() {
    String body = "{\"title\":\"Not Found\",\"status\":404,\"detail\":\"session x was not found\"}";

    assertThat(Problems.oneLine(404, PROBLEM, body, null))
        .isEqualTo("session x was not found (404)");
  }

  @Test
  void fieldErrorsAreNamedUnlessTheDetailAlreadyNamesThem() {
    String said =
        """
        {"title":"Invalid request","status":400,"detail":"repositoryUrl must not be blank",
         "errors":[{"field":"repositoryUrl","message":"must not be blank"}]}""";
    String unsaid =
        """
        {"title":"Invalid request","status":400,"detail":"the request is invalid",
         "errors":[{"field":"maxTurns","message":"must be at most 200"},
                   {"field":"allowedTools[1]","message":"must not be blank"}]}""";

    assertThat(Problems.oneLine(400, PROBLEM, said, null))
        .isEqualTo("repositoryUrl must not be blank (400 Invalid request)");
    assertThat(Problems.oneLine(400, PROBLEM, unsaid, null))
        .isEqualTo(
            "the request is invalid: maxTurns must be at most 200; allowedTools[1] must not be"
                + " blank (400 Invalid request)");
  }

  @Test
  void aProblemWithoutDetailUsesItsTitle() {
    assertThat(Problems.oneLine(401, PROBLEM, "{\"title\":\"Unauthorized\",\"status\":401}", null))
        .isEqualTo("Unauthorized (401)");
  }

  @Test
  void itIsAlwaysOneLine() {
    String body = "{\"title\":\"Bad\",\"status\":400,\"detail\":\"first\\nsecond\\n\\tthird\"}";

    assertThat(Problems.oneLine(400, PROBLEM, body, null))
        .isEqualTo("first second third (400 Bad)");
  }

  @Test
  void retryAfterIsMentionedForRateLimits() {
    String body =
        "{\"title\":\"Too Many Requests\",\"status\":429,\"detail\":\"the queue is full\"}";

    assertThat(Problems.oneLine(429, PROBLEM, body, "30"))
        .isEqualTo("the queue is full (429 Too Many Requests); retry after 30 s");
  }

  @Test
  void anythingElseIsSummarisedByItsStatus() {
    assertThat(Problems.oneLine(502, "text/html", "<html><body>Bad gateway</body></html>", null))
        .isEqualTo("HTTP 502 Bad Gateway");
    assertThat(Problems.oneLine(503, "text/plain", "maintenance\nback soon", null))
        .isEqualTo("HTTP 503 Service Unavailable: maintenance back soon");
    assertThat(Problems.oneLine(500, null, "", null)).isEqualTo("HTTP 500 Internal Server Error");
    assertThat(Problems.oneLine(418, "application/json", "{not json", null)).isEqualTo("HTTP 418");
  }
}
