package dev.remoteclaude.common.testapp;

import dev.remoteclaude.common.auth.CurrentUser;
import dev.remoteclaude.common.ratelimit.RateLimitClass;
import dev.remoteclaude.common.ratelimit.RateLimited;
import io.quarkus.security.Authenticated;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import java.util.Map;

/** Endpoints under rate limits (the test configuration makes them small). */
@Path("/api/v1/limited")
@Authenticated
public class LimitedResource {

  private final CurrentUser user;

  public LimitedResource(CurrentUser user) {
    this.user = user;
  }

  @POST
  @Path("/tasks")
  @RateLimited(RateLimitClass.TASKS)
  public Map<String, String> task() {
    return Map.of("user", user.id());
  }

  @GET
  @Path("/files")
  @RateLimited(RateLimitClass.FILES)
  public Map<String, String> file() {
    return Map.of("user", user.id());
  }

  @GET
  @Path("/free")
  public Map<String, String> free() {
    return Map.of("user", user.id());
  }
}
