package dev.remoteclaude.common.testapp;

import dev.remoteclaude.common.auth.CurrentUser;
import dev.remoteclaude.common.problem.ProblemException;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import java.util.Map;

@Path("/api/v1/notes")
@Authenticated
public class NoteResource {

  public record NewNote(
      @NotBlank @Size(max = 100) String text,
      @NotNull @Min(1) @Max(5) Integer priority,
      java.util.List<@NotBlank String> tags) {}

  private final CurrentUser user;
  private final NoteService notes;

  public NoteResource(CurrentUser user, NoteService notes) {
    this.user = user;
    this.notes = notes;
  }

  @GET
  @Path("/me")
  public Map<String, String> me() {
    return Map.of("user", user.id());
  }

  @POST
  public Uni<Map<String, Object>> create(@Valid @NotNull NewNote note) {
    return notes
        .create(user.id(), "subject-" + user.id(), note.text(), false)
        .map(n -> Map.of("id", n.id, "text", n.text));
  }

  @GET
  @Path("/{id}")
  public Map<String, String> find(@PathParam("id") String id) {
    throw ProblemException.notFound("note " + id);
  }

  @GET
  @Path("/busy")
  public Map<String, String> busy() {
    throw ProblemException.tooManyRequests("slow down", Map.of(ProblemException.RETRY_AFTER, 7));
  }

  @GET
  @Path("/boom")
  public Map<String, String> boom() {
    throw new IllegalStateException("org.example.Secret internal detail password=hunter2");
  }
}
