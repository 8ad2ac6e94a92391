package dev.remoteclaude.task.rest;

import dev.remoteclaude.api.NewTask;
import dev.remoteclaude.api.Paging;
import dev.remoteclaude.api.TaskView;
import dev.remoteclaude.common.auth.CurrentUser;
import dev.remoteclaude.common.events.PullRequestOption;
import dev.remoteclaude.common.ratelimit.RateLimitClass;
import dev.remoteclaude.common.ratelimit.RateLimited;
import dev.remoteclaude.task.service.TaskService;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.RestResponse;

/** Tasks of the caller's sessions: submit, follow, list, cancel. Another user's answer 404. */
@Path("/api/v1")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class TaskResource {

  /** Largest waitSeconds accepted; the configured bound clamps it further. */
  static final int MAX_WAIT_SECONDS = 3600;

  private final TaskService tasks;
  private final CurrentUser user;

  public TaskResource(TaskService tasks, CurrentUser user) {
    this.tasks = tasks;
    this.user = user;
  }

  @POST
  @Path("/sessions/{sessionId}/tasks")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "Submit a task",
      description =
          "Queues the prompt at the end of the session's queue (202, Location of the task)."
              + " Tasks run one at a time in submission order; a paused session is resumed."
              + " 429 when the queue is full or the user submitted too many tasks lately (rate"
              + " limit), 409 when the session has ended.")
  @RateLimited(RateLimitClass.TASKS)
  public Uni<RestResponse<TaskView>> submit(
      @PathParam("sessionId") UUID sessionId, @Valid @NotNull NewTask task) {
    TaskService.Submission submission =
        new TaskService.Submission(
            task.prompt(),
            task.model(),
            task.maxTurns(),
            task.allowedTools(),
            task.permissionMode(),
            task.pullRequest() == null
                ? null
                : new PullRequestOption(
                    task.pullRequest().base(),
                    task.pullRequest().draft(),
                    task.pullRequest().title(),
                    task.pullRequest().body()),
            task.maxCostUsd());
    return tasks
        .submit(user.id(), sessionId, submission)
        .map(
            accepted ->
                RestResponse.ResponseBuilder.<TaskView>accepted()
                    .location(URI.create("/api/v1/tasks/" + accepted.task().id))
                    .entity(TaskViews.of(accepted.task(), accepted.position()))
                    .build());
  }

  @GET
  @Path("/sessions/{sessionId}/tasks")
  @Operation(
      summary = "List a session's tasks",
      description = "Newest first; size is clamped to the largest page (100 by default).")
  public Uni<List<TaskView>> history(
      @PathParam("sessionId") UUID sessionId,
      @QueryParam("page") @DefaultValue("0") @Min(0) @Max(Paging.MAX_PAGE) int page,
      @QueryParam("size") Integer size) {
    return tasks
        .history(user.id(), sessionId, page, size)
        .map(list -> list.stream().map(TaskViews::summaryOf).toList());
  }

  @GET
  @Path("/tasks/{taskId}")
  @Operation(
      summary = "Get a task: its state, result, usage, and progress while it runs",
      description =
          "With waitSeconds=N, a task that has not finished is looked at again until it has, for"
              + " at most N seconds (clamped to task.max-read-wait, 10 s by default); then it is"
              + " answered as it is. A client that saw the task end on the session's stream reads"
              + " the final task this way, although this service learns of the end a moment"
              + " later.")
  public Uni<TaskView> find(
      @PathParam("taskId") UUID taskId,
      @QueryParam("waitSeconds") @DefaultValue("0") @Min(0) @Max(MAX_WAIT_SECONDS)
          int waitSeconds) {
    Uni<TaskService.Accepted> found =
        waitSeconds == 0
            ? tasks.find(user.id(), taskId)
            : tasks.findWhenFinished(user.id(), taskId, Duration.ofSeconds(waitSeconds));
    return found.map(it -> TaskViews.of(it.task(), it.position()));
  }

  @POST
  @Path("/tasks/{taskId}/cancel")
  @Operation(
      summary = "Cancel a task",
      description =
          "A queued task is cancelled at once (200). For a dispatched or running one the gateway is"
              + " asked to stop it (202); it ends CANCELLED when the gateway confirms. 409 if the"
              + " task has finished.")
  public Uni<RestResponse<TaskView>> cancel(@PathParam("taskId") UUID taskId) {
    return tasks
        .cancel(user.id(), taskId)
        .map(
            cancellation ->
                RestResponse.ResponseBuilder.<TaskView>create(
                        cancellation.pending()
                            ? RestResponse.Status.ACCEPTED
                            : RestResponse.Status.OK)
                    .entity(TaskViews.of(cancellation.task(), 0))
                    .build());
  }
}
