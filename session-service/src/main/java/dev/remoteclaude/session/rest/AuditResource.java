package dev.remoteclaude.session.rest;

import dev.remoteclaude.api.AuditPageView;
import dev.remoteclaude.api.Paging;
import dev.remoteclaude.common.auth.CurrentUser;
import dev.remoteclaude.common.events.AuditRecorded;
import dev.remoteclaude.common.problem.ProblemException;
import dev.remoteclaude.session.AuditQuery;
import dev.remoteclaude.session.config.SessionConfig;
import dev.remoteclaude.session.service.AuditTrail;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The calling user's own audit trail: every action of theirs that changed something (or tried to),
 * in every service, newest first. Nobody sees another user's entries.
 */
@Path("/api/v1/audit")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Audit")
public class AuditResource {

  private static final Set<String> OUTCOMES =
      Set.of(AuditRecorded.SUCCEEDED, AuditRecorded.REFUSED, AuditRecorded.FAILED);
  private static final int MAX_TEXT = 200;

  private final AuditTrail trail;
  private final CurrentUser user;
  private final SessionConfig config;

  public AuditResource(AuditTrail trail, CurrentUser user, SessionConfig config) {
    this.trail = trail;
    this.user = user;
    this.config = config;
  }

  @GET
  @Operation(
      summary =
          "The caller's audit trail, newest first: from/to (ISO-8601 instants or dates), action"
              + " (part of it), outcome (succeeded, refused, failed), service, target (the id acted"
              + " on)")
  public Uni<AuditPageView> list(
      @QueryParam("from") String from,
      @QueryParam("to") String to,
      @QueryParam("action") String action,
      @QueryParam("outcome") String outcome,
      @QueryParam("service") String service,
      @QueryParam("target") String target,
      @QueryParam("page") @DefaultValue("0") @Min(0) @Max(Paging.MAX_PAGE) int page,
      @QueryParam("size") @DefaultValue("-1") int size) {
    String owner = user.id();
    if (outcome != null && !OUTCOMES.contains(outcome)) {
      throw ProblemException.badRequest("outcome", "must be one of succeeded, refused, failed");
    }
    Instant start = instant("from", from, false);
    Instant end = instant("to", to, true);
    if (start != null && end != null && !start.isBefore(end)) {
      throw ProblemException.badRequest("to", "must be after from");
    }
    int pageSize =
        size <= 0 ? config.paging().defaultSize() : Math.min(size, config.paging().maxSize());
    AuditQuery filter =
        new AuditQuery(
            owner,
            start,
            end,
            text("action", action),
            outcome,
            text("service", service),
            text("target", target));
    return trail.page(filter, page, pageSize);
  }

  private static String text(String field, String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    if (value.length() > MAX_TEXT) {
      throw ProblemException.badRequest(field, "must be at most " + MAX_TEXT + " characters");
    }
    return value;
  }

  /** An ISO-8601 instant, or a UTC date (as {@code to}, a date includes that day). */
  private static Instant instant(String field, String value, boolean endOfDay) {
    if (value == null || value.isBlank()) {
      return null;
    }
    if (value.length() > 40) {
      throw ProblemException.badRequest(field, "must be an ISO-8601 instant or date");
    }
    try {
      if (value.length() == 10) {
        LocalDate day = LocalDate.parse(value);
        return (endOfDay ? day.plusDays(1) : day).atStartOfDay().toInstant(ZoneOffset.UTC);
      }
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw ProblemException.badRequest(
          field, "must be an ISO-8601 instant (2026-12-01T00:00:00Z) or date (2026-12-01)");
    }
  }
}
