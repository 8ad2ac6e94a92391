package dev.remoteclaude.common.problem;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.quarkus.logging.Log;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The one place where errors become responses: RFC 9457 problem+json, with the offending fields
 * named for bad input, and nothing internal (stack traces, class names, SQL) in the body.
 */
public class ProblemMapper {

  static final String TYPE_BASE = "https://remote-claude.dev/problems/";

  @ServerExceptionMapper
  public RestResponse<Problem> domain(ProblemException e, UriInfo uri) {
    Map<String, Object> extensions = new HashMap<>(e.extensions());
    @SuppressWarnings("unchecked")
    List<Problem.FieldError> errors = (List<Problem.FieldError>) extensions.remove("errors");
    return respond(
        new Problem(
            TYPE_BASE + e.slug(),
            e.title(),
            e.status(),
            e.getMessage(),
            path(uri),
            errors,
            extensions));
  }

  @ServerExceptionMapper
  public RestResponse<Problem> validation(ConstraintViolationException e, UriInfo uri) {
    List<Problem.FieldError> errors = new ArrayList<>();
    for (ConstraintViolation<?> violation : e.getConstraintViolations()) {
      errors.add(
          new Problem.FieldError(field(violation.getPropertyPath()), violation.getMessage()));
    }
    errors.sort(Comparator.comparing(Problem.FieldError::field));
    String detail =
        errors.stream()
            .map(err -> err.field() + " " + err.message())
            .reduce((a, b) -> a + "; " + b)
            .orElse("the request is invalid");
    return respond(
        new Problem(
            TYPE_BASE + "invalid-request",
            "Invalid request",
            400,
            detail,
            path(uri),
            errors,
            null));
  }

  @ServerExceptionMapper({
    UnrecognizedPropertyException.class,
    InvalidFormatException.class,
    MismatchedInputException.class,
    JsonMappingException.class,
    JsonParseException.class,
    StreamReadException.class
  })
  public RestResponse<Problem> json(Exception e, UriInfo uri) {
    if (e instanceof UnrecognizedPropertyException unknown) {
      String field = jsonPath(unknown);
      return badRequest(uri, field, "is not a known field");
    }
    if (e instanceof InvalidFormatException invalid) {
      return badRequest(uri, jsonPath(invalid), "has the wrong format");
    }
    if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
      return badRequest(uri, jsonPath(mapping), "has the wrong type or shape");
    }
    return respond(
        new Problem(
            TYPE_BASE + "malformed-body",
            "Malformed request body",
            400,
            "the request body is not valid JSON",
            path(uri),
            null,
            null));
  }

  @ServerExceptionMapper({AuthenticationFailedException.class, UnauthorizedException.class})
  public RestResponse<Problem> unauthorized(RuntimeException e, UriInfo uri) {
    return RestResponse.ResponseBuilder.<Problem>create(401)
        .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
        .type(Problem.MEDIA_TYPE)
        .entity(
            new Problem(
                TYPE_BASE + "unauthorized",
                "Unauthorized",
                401,
                "a valid bearer token is required",
                path(uri),
                null,
                null))
        .build();
  }

  @ServerExceptionMapper
  public RestResponse<Problem> forbidden(ForbiddenException e, UriInfo uri) {
    return respond(
        new Problem(
            TYPE_BASE + "forbidden", "Forbidden", 403, "not allowed", path(uri), null, null));
  }

  @ServerExceptionMapper
  public RestResponse<Problem> web(WebApplicationException e, UriInfo uri) {
    int status = e.getResponse().getStatus();
    for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
      if (cause instanceof com.fasterxml.jackson.core.JacksonException jackson) {
        return json(jackson, uri);
      }
    }
    if (status >= 500) {
      return unexpected(e, uri);
    }
    Response.Status known = Response.Status.fromStatusCode(status);
    String title = known == null ? "Error" : known.getReasonPhrase();
    return respond(
        new Problem(
            TYPE_BASE + slug(title), title, status, detailFor(status), path(uri), null, null));
  }

  @ServerExceptionMapper
  public RestResponse<Problem> unexpected(Throwable e, UriInfo uri) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof java.net.ConnectException
          || cause instanceof io.vertx.sqlclient.ClosedConnectionException) {
        Log.warnf("a backing service is unreachable: %s", cause.getMessage());
        return respond(
            new Problem(
                TYPE_BASE + "unavailable",
                "Service Unavailable",
                503,
                "a service this request needs is unavailable; try again shortly",
                path(uri),
                null,
                null));
      }
    }
    String incident = UUID.randomUUID().toString();
    Log.errorf(e, "unexpected error, incident %s", incident);
    return respond(
        new Problem(
            TYPE_BASE + "internal",
            "Internal Server Error",
            500,
            "something went wrong on our side; quote incident " + incident + " when reporting it",
            path(uri),
            null,
            Map.of("incident", incident)));
  }

  private static RestResponse<Problem> badRequest(UriInfo uri, String field, String message) {
    return respond(
        new Problem(
            TYPE_BASE + "invalid-request",
            "Invalid request",
            400,
            field + " " + message,
            path(uri),
            List.of(new Problem.FieldError(field, message)),
            null));
  }

  static RestResponse<Problem> respond(Problem problem) {
    RestResponse.ResponseBuilder<Problem> response =
        RestResponse.ResponseBuilder.<Problem>create(problem.status())
            .type(Problem.MEDIA_TYPE)
            .entity(problem);
    if (problem.extensions() != null
        && problem.extensions().get(ProblemException.RETRY_AFTER) instanceof Number seconds) {
      response.header("Retry-After", String.valueOf(seconds.longValue()));
    }
    return response.build();
  }

  private static String detailFor(int status) {
    return switch (status) {
      case 400 -> "the request is malformed";
      case 404 -> "no such resource";
      case 405 -> "method not allowed on this resource";
      case 406 -> "cannot produce the requested media type";
      case 415 -> "unsupported media type; send application/json";
      default -> "the request cannot be processed";
    };
  }

  private static String slug(String title) {
    return title.toLowerCase().replaceAll("[^a-z0-9]+", "-");
  }

  private static String path(UriInfo uri) {
    return uri == null ? null : uri.getPath();
  }

  /**
   * The request-side name of a violated property: method and parameter nodes are dropped, and a
   * container element is written as an index on its container ({@code allowedTools[1]}).
   */
  static String field(Path path) {
    StringBuilder out = new StringBuilder();
    String lastParameter = null;
    for (Path.Node node : path) {
      ElementKind kind = node.getKind();
      if (kind == ElementKind.METHOD
          || kind == ElementKind.CROSS_PARAMETER
          || kind == ElementKind.RETURN_VALUE) {
        continue;
      }
      if (kind == ElementKind.PARAMETER) {
        lastParameter = node.getName();
        continue;
      }
      String name = node.getName();
      boolean element =
          kind == ElementKind.CONTAINER_ELEMENT || (name != null && name.startsWith("<"));
      if (!element && name != null) {
        if (!out.isEmpty()) {
          out.append('.');
        }
        out.append(name);
      }
      if (node.getIndex() != null) {
        out.append('[').append(node.getIndex()).append(']');
      } else if (node.getKey() != null) {
        out.append('[').append(node.getKey()).append(']');
      }
    }
    if (out.isEmpty()) {
      // A violated method parameter (a query or path parameter): its name.
      return lastParameter == null ? "request" : lastParameter;
    }
    return out.toString();
  }

  private static String jsonPath(JsonMappingException e) {
    StringBuilder out = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (!out.isEmpty()) {
          out.append('.');
        }
        out.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        out.append('[').append(ref.getIndex()).append(']');
      }
    }
    return out.isEmpty() ? "body" : out.toString();
  }
}
