package dev.remoteclaude.cli.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.remoteclaude.cli.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns an error response into one clear line. RFC 9457 problem+json is read for its {@code detail}
 * (or {@code title}), the fields named in {@code errors} and the status; anything else (an HTML
 * page from a proxy, plain text) is summarised by its status.
 */
public final class Problems {

  private static final int MAX_TEXT = 200;

  private Problems() {}

  /**
   * The one-line message of an error response, e.g. {@code the session is not READY (409 Conflict)}
   * or {@code Invalid request: repositoryUrl must not be blank (400)}.
   */
  public static String oneLine(int status, String contentType, String body, String retryAfter) {
    JsonNode problem = looksLikeJson(contentType, body) ? Json.parseOrNull(body) : null;
    String message;
    if (problem != null && problem.isObject()) {
      message = fromProblem(status, problem);
    } else {
      message = fromText(status, contentType, body);
    }
    if (retryAfter != null && !retryAfter.isBlank() && (status == 429 || status == 503)) {
      message += "; retry after " + retryAfter.strip() + " s";
    }
    return singleLine(message);
  }

  /**
   * The last path segment of a problem document's {@code type} ({@code metering-only}), or null
   * when the body is no problem document or has no type.
   */
  public static String type(String contentType, String body) {
    JsonNode problem = looksLikeJson(contentType, body) ? Json.parseOrNull(body) : null;
    String type = problem != null && problem.isObject() ? Json.text(problem, "type") : null;
    if (type == null || type.isBlank()) {
      return null;
    }
    String stripped = type.strip();
    while (stripped.endsWith("/")) {
      stripped = stripped.substring(0, stripped.length() - 1);
    }
    return stripped.substring(stripped.lastIndexOf('/') + 1);
  }

  private static String fromProblem(int status, JsonNode problem) {
    String title = Json.text(problem, "title");
    String detail = Json.text(problem, "detail");
    int code = problem.path("status").isInt() ? problem.path("status").asInt() : status;
    List<String> fieldErrors = new ArrayList<>();
    for (JsonNode error : problem.path("errors")) {
      String field = Json.text(error, "field");
      String text = Json.text(error, "message");
      if (text == null) {
        continue;
      }
      String rendered = field == null || field.isBlank() ? text : field + " " + text;
      if (detail == null || !detail.contains(rendered)) {
        fieldErrors.add(rendered);
      }
    }
    StringBuilder out = new StringBuilder();
    if (detail != null && !detail.isBlank()) {
      out.append(detail.strip());
    } else if (title != null && !title.isBlank()) {
      out.append(title.strip());
    } else {
      out.append(reason(code));
    }
    if (!fieldErrors.isEmpty()) {
      out.append(out.isEmpty() ? "" : ": ").append(String.join("; ", fieldErrors));
    }
    String heading = title != null && !title.isBlank() ? title.strip() : reason(code);
    boolean headingSaid =
        out.toString().toLowerCase(Locale.ROOT).contains(heading.toLowerCase(Locale.ROOT));
    out.append(" (").append(code);
    if (!headingSaid && !heading.isEmpty()) {
      out.append(' ').append(heading);
    }
    out.append(')');
    return out.toString();
  }

  private static String fromText(int status, String contentType, String body) {
    String reason = reason(status);
    StringBuilder out = new StringBuilder("HTTP ").append(status);
    if (!reason.isEmpty()) {
      out.append(' ').append(reason);
    }
    boolean text =
        contentType != null
            && contentType.toLowerCase(Locale.ROOT).startsWith("text/plain")
            && body != null
            && !body.isBlank();
    if (text) {
      String cut = body.strip();
      if (cut.length() > MAX_TEXT) {
        cut = cut.substring(0, MAX_TEXT) + "…";
      }
      out.append(": ").append(cut);
    }
    return out.toString();
  }

  private static boolean looksLikeJson(String contentType, String body) {
    if (body == null || body.isBlank()) {
      return false;
    }
    if (contentType != null && contentType.toLowerCase(Locale.ROOT).contains("json")) {
      return true;
    }
    return body.stripLeading().startsWith("{");
  }

  /** Newlines and runs of blanks become single spaces. */
  static String singleLine(String text) {
    return text.replaceAll("\\s+", " ").strip();
  }

  /** The standard reason phrase of common statuses. */
  public static String reason(int status) {
    return switch (status) {
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 402 -> "Payment Required";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 409 -> "Conflict";
      case 410 -> "Gone";
      case 413 -> "Content Too Large";
      case 415 -> "Unsupported Media Type";
      case 422 -> "Unprocessable Content";
      case 429 -> "Too Many Requests";
      case 500 -> "Internal Server Error";
      case 502 -> "Bad Gateway";
      case 503 -> "Service Unavailable";
      case 504 -> "Gateway Timeout";
      default -> "";
    };
  }
}
