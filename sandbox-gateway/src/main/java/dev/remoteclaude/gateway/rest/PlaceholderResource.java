package dev.remoteclaude.gateway.rest;

import io.quarkus.security.Authenticated;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import java.util.List;

/** Replaced by the real resource of this service. */
@Path("/api/v1/sessions")
@Authenticated
public class PlaceholderResource {
  @GET
  @Path("/{id}/placeholder")
  public List<String> list(@PathParam("id") String id) {
    return List.of();
  }
}
