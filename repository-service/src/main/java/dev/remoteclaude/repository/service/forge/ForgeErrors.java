package dev.remoteclaude.repository.service.forge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import java.util.Locale;
import java.util.function.Function;

/**
 * Turns what a forge's REST client throws into a {@link ForgeFailure} with a reason a user can act
 * on. The forge's own error message (GitHub's "No commits between main and x", GitLab's "Another
 * open merge request already exists") is kept, cut short; nothing else of the answer is.
 */
final class ForgeErrors {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_MESSAGE = 300;

  private ForgeErrors() {}

  static <T> Uni<T> mapped(Uni<T> call, String forgeName, ForgeTarget target, String what) {
    return call.onFailure().transform(failure -> map(failure, forgeName, target, what));
  }

  static Throwable map(Throwable failure, String forgeName, ForgeTarget target, String what) {
    if (failure instanceof ForgeFailure) {
      return failure;
    }
    if (failure instanceof WebApplicationException web && web.getResponse() != null) {
      int status = web.getResponse().getStatus();
      String message = message(web);
      Log.infof(
          "%s answered %d to %s of %s: %s",
          forgeName, status, what, target.fullPath(), message == null ? "" : message);
      return fromStatus(status, message, forgeName, target);
    }
    Log.warnf(
        "%s could not be reached to %s of %s: %s",
        forgeName,
        what,
        target.fullPath(),
        failure instanceof ProcessingException
            ? "no answer in time or no connection"
            : failure.getClass().getSimpleName());
    return new ForgeFailure.Unavailable(forgeName + " is unavailable just now; try again later");
  }

  static ForgeFailure fromStatus(int status, String message, String forgeName, ForgeTarget target) {
    String said = message == null || message.isBlank() ? "" : " (" + message + ")";
    if (status == 401 || status == 403) {
      return new ForgeFailure(
          ForgeFailure.Code.AUTH_FAILED,
          forgeName
              + " refused the repository's credential"
              + said
              + "; give the repository a token that may open pull requests"
              + " (PATCH /api/v1/repositories/{id} with a new credential)");
    }
    if (status == 404) {
      return new ForgeFailure(
          ForgeFailure.Code.NOT_FOUND,
          forgeName
              + " has no repository "
              + target.fullPath()
              + " or no such branch, or the credential cannot see it"
              + said);
    }
    if (status == 409 || (message != null && alreadyExists(message))) {
      return new ForgeFailure(
          ForgeFailure.Code.ALREADY_EXISTS,
          "a pull request for this branch is open already on " + forgeName + said);
    }
    if (status >= 400 && status < 500 && status != 408 && status != 429) {
      return new ForgeFailure(
          ForgeFailure.Code.REJECTED, forgeName + " refused the pull request" + said);
    }
    return new ForgeFailure.Unavailable(forgeName + " is unavailable just now; try again later");
  }

  private static boolean alreadyExists(String message) {
    String m = message.toLowerCase(Locale.ROOT);
    return m.contains("already exists");
  }

  /**
   * The forge's error message: GitHub {@code message} and {@code errors[].message}, GitLab {@code
   * message} (a string or a list), Gitea {@code message}, Bitbucket {@code error.message}.
   */
  static String message(WebApplicationException web) {
    String body;
    try {
      body = web.getResponse().readEntity(String.class);
    } catch (RuntimeException e) {
      return null;
    }
    if (body == null || body.isBlank()) {
      return null;
    }
    JsonNode json;
    try {
      json = JSON.readTree(body);
    } catch (Exception e) {
      return null;
    }
    StringBuilder text = new StringBuilder();
    Function<JsonNode, Void> add =
        node -> {
          if (node != null && node.isTextual() && !node.asText().isBlank()) {
            if (!text.isEmpty()) {
              text.append(": ");
            }
            text.append(node.asText().strip());
          } else if (node != null && node.isArray()) {
            node.forEach(
                item -> {
                  if (item.isTextual()) {
                    if (!text.isEmpty()) {
                      text.append(": ");
                    }
                    text.append(item.asText().strip());
                  }
                });
          }
          return null;
        };
    add.apply(json.get("message"));
    JsonNode errors = json.get("errors");
    if (errors != null && errors.isArray()) {
      errors.forEach(e -> add.apply(e.get("message")));
    }
    JsonNode error = json.get("error");
    if (error != null && error.isObject()) {
      add.apply(error.get("message"));
    }
    String result = text.toString().replaceAll("\\p{Cntrl}", " ");
    return result.length() > MAX_MESSAGE ? result.substring(0, MAX_MESSAGE) + "…" : result;
  }
}
