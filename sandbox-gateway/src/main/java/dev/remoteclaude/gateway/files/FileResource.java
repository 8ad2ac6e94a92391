package dev.remoteclaude.gateway.files;

import dev.remoteclaude.common.auth.CurrentUser;
import dev.remoteclaude.common.problem.ProblemException;
import dev.remoteclaude.common.ratelimit.RateLimitClass;
import dev.remoteclaude.common.ratelimit.RateLimited;
import dev.remoteclaude.gateway.config.GatewayConfig;
import dev.remoteclaude.gateway.provider.ProviderCalls;
import dev.remoteclaude.gateway.sandbox.Sandbox;
import dev.remoteclaude.gateway.sandbox.SandboxAccess;
import dev.remoteclaude.gateway.sandbox.SandboxState;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.RestResponse;

/** Reads and writes files in the workspace of the caller's sandbox. */
@Path("/api/v1/sessions/{id}/files")
@Authenticated
public class FileResource {

  private final SandboxAccess access;
  private final ProviderCalls providers;
  private final GatewayConfig config;
  private final CurrentUser user;

  public FileResource(
      SandboxAccess access, ProviderCalls providers, GatewayConfig config, CurrentUser user) {
    this.access = access;
    this.providers = providers;
    this.config = config;
    this.user = user;
  }

  /** Files exist while the sandbox is ready or paused. */
  private static void requireFiles(Sandbox sandbox) {
    if (sandbox.providerId == null
        || (sandbox.state != SandboxState.READY && sandbox.state != SandboxState.PAUSED)) {
      throw ProblemException.conflict(
          "the session is " + sandbox.state.name().toLowerCase() + "; its files are not available");
    }
  }

  @GET
  @Produces(MediaType.APPLICATION_OCTET_STREAM)
  @Operation(summary = "Read a workspace file (path relative to the workspace)")
  @RateLimited(RateLimitClass.FILES)
  public Uni<byte[]> read(
      @PathParam("id") UUID sessionId,
      @QueryParam("path") @NotBlank @Size(max = 4096) String path) {
    return access
        .owned(sessionId, user.id())
        .chain(
            sandbox -> {
              requireFiles(sandbox);
              return providers.readFile(
                  sandbox.provider, sandbox.providerId, path, config.files().maxBytes());
            });
  }

  @PUT
  @Consumes(MediaType.APPLICATION_OCTET_STREAM)
  @Operation(summary = "Write a workspace file (path relative to the workspace)")
  @RateLimited(RateLimitClass.FILES)
  public Uni<RestResponse<Void>> write(
      @PathParam("id") UUID sessionId,
      @QueryParam("path") @NotBlank @Size(max = 4096) String path,
      byte[] content) {
    if (content != null && content.length > config.files().maxBytes()) {
      throw new ProblemException(
          413,
          "too-large",
          "Content Too Large",
          "files are limited to " + config.files().maxBytes() + " bytes",
          null);
    }
    return access
        .owned(sessionId, user.id())
        .chain(
            sandbox -> {
              requireFiles(sandbox);
              return providers.writeFile(
                  sandbox.provider,
                  sandbox.providerId,
                  path,
                  content == null ? new byte[0] : content);
            })
        .map(ok -> RestResponse.noContent());
  }
}
