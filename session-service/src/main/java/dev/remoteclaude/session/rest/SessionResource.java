package dev.remoteclaude.session.rest;

import dev.remoteclaude.api.CreateSessionRequest;
import dev.remoteclaude.api.ExtendRequest;
import dev.remoteclaude.api.Paging;
import dev.remoteclaude.api.SessionPageView;
import dev.remoteclaude.api.SessionState;
import dev.remoteclaude.api.SessionView;
import dev.remoteclaude.common.auth.CurrentUser;
import dev.remoteclaude.common.net.RepositoryUrls;
import dev.remoteclaude.common.problem.ProblemException;
import dev.remoteclaude.common.ratelimit.RateLimitClass;
import dev.remoteclaude.common.ratelimit.RateLimited;
import dev.remoteclaude.session.Session;
import dev.remoteclaude.session.config.SessionConfig;
import dev.remoteclaude.session.service.NewSession;
import dev.remoteclaude.session.service.RegisteredRepositories;
import dev.remoteclaude.session.service.SessionPolicy;
import dev.remoteclaude.session.service.SessionService;
import dev.remoteclaude.session.service.UserSettingsService;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.net.URI;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

/** Sessions of the calling user. Another user's session answers 404, like a missing one. */
@Path("/api/v1/sessions")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Sessions")
public class SessionResource {

  private final SessionService sessions;
  private final SessionPolicy policy;
  private final CurrentUser user;
  private final SessionConfig config;
  private final RegisteredRepositories registered;
  private final UserSettingsService settings;

  public SessionResource(
      SessionService sessions,
      SessionPolicy policy,
      CurrentUser user,
      SessionConfig config,
      RegisteredRepositories registered,
      UserSettingsService settings) {
    this.settings = settings;
    this.sessions = sessions;
    this.policy = policy;
    this.user = user;
    this.config = config;
    this.registered = registered;
  }

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(summary = "Create a session: its sandbox is provisioned asynchronously")
  @APIResponse(responseCode = "202", description = "accepted, in PROVISIONING")
  @APIResponse(
      responseCode = "400",
      description = "invalid request, naming the field (an unknown repositoryId included)")
  @APIResponse(responseCode = "402", description = "session-hours of the month used up")
  @APIResponse(
      responseCode = "429",
      description = "too many active sessions, or too many created or resumed lately (rate limit)")
  @RateLimited(RateLimitClass.SESSIONS)
  public Uni<RestResponse<SessionView>> create(@Valid @NotNull CreateSessionRequest request) {
    String owner = user.id();
    return repository(owner, request)
        .map(
            target ->
                new NewSession(
                    target.url(),
                    target.branch(),
                    request.provider(),
                    request.idleTimeout(),
                    request.maxLifetime(),
                    request.environment(),
                    request.setupCommands(),
                    request.region()))
        .chain(session -> settings.applyDefaultProvider(owner, session))
        .chain(policy::validate)
        .chain(valid -> sessions.create(owner, valid))
        .map(
            session ->
                RestResponse.ResponseBuilder.<SessionView>create(RestResponse.Status.ACCEPTED)
                    .location(URI.create("/api/v1/sessions/" + session.id))
                    .entity(SessionViews.of(session))
                    .build());
  }

  @GET
  @Operation(summary = "List the caller's sessions, newest first, optionally by state")
  public Uni<SessionPageView> list(
      @QueryParam("state") List<String> states,
      @QueryParam("page") @DefaultValue("0") @Min(0) @Max(Paging.MAX_PAGE) int page,
      @QueryParam("size") @DefaultValue("-1") int size) {
    String owner = user.id();
    Set<SessionState> filter = parseStates(states);
    int pageSize =
        size <= 0 ? config.paging().defaultSize() : Math.min(size, config.paging().maxSize());
    return sessions
        .list(owner, filter, page, pageSize)
        .map(
            result ->
                new SessionPageView(
                    result.items().stream().map(SessionViews::of).toList(),
                    result.page(),
                    result.size(),
                    result.total()));
  }

  @GET
  @Path("/{id}")
  @Operation(summary = "One of the caller's sessions")
  public Uni<SessionView> get(@PathParam("id") UUID id) {
    return sessions.get(user.id(), id).map(SessionViews::of);
  }

  @POST
  @Path("/{id}/pause")
  @Operation(summary = "Pause a READY session (its files are kept)")
  @APIResponse(responseCode = "202", description = "accepted, in PAUSING")
  @APIResponse(responseCode = "409", description = "the session is not READY")
  @APIResponse(
      responseCode = "429",
      description = "the user keeps as many paused sessions as allowed (maxPausedSessions)")
  public Uni<RestResponse<SessionView>> pause(@PathParam("id") UUID id) {
    return sessions.pause(user.id(), id).map(SessionResource::accepted);
  }

  @POST
  @Path("/{id}/resume")
  @Operation(summary = "Resume a PAUSED session")
  @APIResponse(responseCode = "202", description = "accepted, in RESUMING")
  @APIResponse(responseCode = "409", description = "the session is not PAUSED")
  @APIResponse(responseCode = "402", description = "session-hours of the month used up")
  @APIResponse(
      responseCode = "429",
      description = "too many active sessions, or too many created or resumed lately (rate limit)")
  @RateLimited(RateLimitClass.SESSIONS)
  public Uni<RestResponse<SessionView>> resume(@PathParam("id") UUID id) {
    return sessions.resume(user.id(), id).map(SessionResource::accepted);
  }

  @POST
  @Path("/{id}/extend")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(summary = "Extend a session's expiry by a duration, up to its maximum lifetime")
  @APIResponse(responseCode = "200", description = "extended")
  @APIResponse(responseCode = "409", description = "ended, or already at its maximum lifetime")
  public Uni<SessionView> extend(@PathParam("id") UUID id, @Valid @NotNull ExtendRequest request) {
    String owner = user.id();
    return Uni.createFrom()
        .voidItem()
        .invoke(() -> policy.checkExtension(request.duration()))
        .chain(() -> sessions.extend(owner, id, request.duration()))
        .map(SessionViews::of);
  }

  @DELETE
  @Path("/{id}")
  @Operation(summary = "Terminate a session: its sandbox and everything in it goes away")
  @APIResponse(responseCode = "202", description = "accepted, in TERMINATING")
  @APIResponse(responseCode = "409", description = "already terminating or ended")
  public Uni<RestResponse<SessionView>> terminate(@PathParam("id") UUID id) {
    return sessions.terminate(user.id(), id).map(SessionResource::accepted);
  }

  /** What to clone: the URL given, or the registered repository named by {@code repositoryId}. */
  private record CloneSource(String url, String branch) {}

  private Uni<CloneSource> repository(String owner, CreateSessionRequest request) {
    boolean noUrl = request.repositoryUrl() == null || request.repositoryUrl().isBlank();
    if (request.repositoryId() == null) {
      return noUrl
          ? Uni.createFrom()
              .failure(ProblemException.badRequest("repositoryUrl", "must not be blank"))
          : Uni.createFrom().item(new CloneSource(request.repositoryUrl(), request.branch()));
    }
    return registered
        .find(owner, request.repositoryId())
        .map(
            known -> {
              if (!noUrl
                  && !RepositoryUrls.normalize(request.repositoryUrl())
                      .equals(known.normalizedUrl)) {
                throw ProblemException.badRequest(
                    "repositoryUrl", "is not the URL of the repository named by repositoryId");
              }
              return new CloneSource(
                  known.url, request.branch() != null ? request.branch() : known.defaultBranch);
            });
  }

  private static RestResponse<SessionView> accepted(Session session) {
    return RestResponse.status(RestResponse.Status.ACCEPTED, SessionViews.of(session));
  }

  private static Set<SessionState> parseStates(List<String> raw) {
    Set<SessionState> states = EnumSet.noneOf(SessionState.class);
    if (raw == null) {
      return states;
    }
    for (String value : raw) {
      for (String part : value.split(",")) {
        if (part.isBlank()) {
          continue;
        }
        try {
          states.add(SessionState.valueOf(part.strip().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
          throw ProblemException.badRequest(
              "state", "must be one of " + List.of(SessionState.values()));
        }
      }
    }
    return states;
  }
}
