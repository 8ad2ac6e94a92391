package dev.remoteclaude.system;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** The public API as a user calls it, through the platform's one base URL. */
final class Api {

  private final String baseUrl;
  private final String token;

  Api(String user) {
    this(TestPlatform.baseUrl(), TestPlatform.token(user));
  }

  /** A platform of its own (not the shared test platform), with a token for it. */
  Api(String baseUrl, String token) {
    this.baseUrl = baseUrl;
    this.token = token;
  }

  String token() {
    return token;
  }

  RequestSpecification call() {
    return given().baseUri(baseUrl).auth().oauth2(token);
  }

  UUID createSession(String repositoryUrl) {
    String id =
        call()
            .contentType(ContentType.JSON)
            .body(Map.of("repositoryUrl", repositoryUrl, "branch", "main"))
            .post("/api/v1/sessions")
            .then()
            .statusCode(202)
            .extract()
            .path("id");
    return UUID.fromString(id);
  }

  String sessionState(UUID session) {
    return call()
        .get("/api/v1/sessions/{id}", session)
        .then()
        .statusCode(200)
        .extract()
        .path("state");
  }

  void awaitSessionState(UUID session, String state) {
    await().atMost(Duration.ofSeconds(90)).until(() -> sessionState(session).equals(state));
  }

  UUID submitTask(UUID session, String prompt) {
    String id =
        call()
            .contentType(ContentType.JSON)
            .body(Map.of("prompt", prompt))
            .post("/api/v1/sessions/{id}/tasks", session)
            .then()
            .statusCode(202)
            .extract()
            .path("id");
    return UUID.fromString(id);
  }

  JsonPath task(UUID task) {
    return call().get("/api/v1/tasks/{id}", task).then().statusCode(200).extract().jsonPath();
  }

  JsonPath awaitTaskState(UUID task, String state) {
    await()
        .atMost(Duration.ofSeconds(120))
        .until(
            () ->
                List.of(state, "FAILED", "CANCELLED", "INTERRUPTED", "SUCCEEDED")
                    .contains(task(task).getString("state")));
    return task(task);
  }

  JsonPath events(UUID session, long after) {
    return call()
        .queryParam("after", after)
        .queryParam("limit", 1000)
        .get("/api/v1/sessions/{id}/events", session)
        .then()
        .statusCode(200)
        .extract()
        .jsonPath();
  }

  /** A git repository with one commit on main, as a file:// URL (the local profile allows them). */
  static String gitRepository(String readme) {
    try {
      Path dir = Files.createTempDirectory("rc-system-repo-");
      Files.writeString(dir.resolve("README.md"), readme);
      git(dir, "init", "--quiet", "--initial-branch=main");
      git(dir, "add", ".");
      git(
          dir,
          "-c",
          "user.name=T",
          "-c",
          "user.email=t@example.com",
          "commit",
          "--quiet",
          "-m",
          "init");
      return dir.toUri().toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void git(Path dir, String... args) {
    try {
      List<String> command = new java.util.ArrayList<>(List.of("git"));
      command.addAll(List.of(args));
      Process p =
          new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("git " + String.join(" ", args) + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
