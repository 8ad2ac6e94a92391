package dev.remoteclaude.repository.rest;

import dev.remoteclaude.api.Paging;
import dev.remoteclaude.api.RegisterRepositoryRequest;
import dev.remoteclaude.api.RepositoryView;
import dev.remoteclaude.api.UpdateRepositoryRequest;
import dev.remoteclaude.api.WebhookSecretView;
import dev.remoteclaude.common.auth.CurrentUser;
import dev.remoteclaude.repository.Repository;
import dev.remoteclaude.repository.service.RepositoryService;
import dev.remoteclaude.repository.service.WebhookService;
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
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

/**
 * Repositories of the calling user. Credentials are write-only: a response says only whether one is
 * set. Another user's repository answers 404, like a missing one.
 */
@Path("/api/v1/repositories")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Repositories")
public class RepositoryResource {

  private final RepositoryService repositories;
  private final WebhookService webhooks;
  private final CurrentUser user;

  public RepositoryResource(
      RepositoryService repositories, WebhookService webhooks, CurrentUser user) {
    this.repositories = repositories;
    this.webhooks = webhooks;
    this.user = user;
  }

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(summary = "Register a repository, optionally with a token to clone it with")
  @APIResponse(responseCode = "201", description = "registered")
  @APIResponse(responseCode = "400", description = "invalid request, naming the field")
  @APIResponse(responseCode = "409", description = "the caller registered this URL already")
  public Uni<RestResponse<RepositoryView>> register(
      @Valid @NotNull RegisterRepositoryRequest request) {
    return repositories
        .register(user.id(), request)
        .map(
            r ->
                RestResponse.ResponseBuilder.<RepositoryView>created(
                        URI.create("/api/v1/repositories/" + r.id))
                    .entity(view(r))
                    .build());
  }

  @GET
  @Operation(summary = "List the caller's repositories, newest first")
  public Uni<List<RepositoryView>> list(
      @QueryParam("page") @DefaultValue("0") @Min(0) @Max(Paging.MAX_PAGE) int page,
      @QueryParam("size") @DefaultValue("20") @Min(1) @Max(100) int size) {
    return repositories
        .list(user.id(), page, size)
        .map(list -> list.stream().map(RepositoryResource::view).toList());
  }

  @GET
  @Path("/{id}")
  @Operation(summary = "One of the caller's repositories")
  public Uni<RepositoryView> get(@PathParam("id") UUID id) {
    return repositories.get(user.id(), id).map(RepositoryResource::view);
  }

  @PATCH
  @Path("/{id}")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(summary = "Change the default branch, the forge or the credential")
  @APIResponse(responseCode = "200", description = "changed")
  @APIResponse(responseCode = "400", description = "invalid request, naming the field")
  public Uni<RepositoryView> update(
      @PathParam("id") UUID id, @Valid @NotNull UpdateRepositoryRequest request) {
    return repositories.update(user.id(), id, request).map(RepositoryResource::view);
  }

  @DELETE
  @Path("/{id}")
  @Operation(summary = "Remove a repository and its credential")
  @APIResponse(responseCode = "204", description = "removed")
  public Uni<RestResponse<Void>> remove(@PathParam("id") UUID id) {
    return repositories.remove(user.id(), id).map(ignored -> RestResponse.noContent());
  }

  @POST
  @Path("/{id}/webhook-secret")
  @Operation(
      summary = "A new webhook secret for the repository's forge (shown once; the old one stops)")
  @APIResponse(responseCode = "200", description = "the secret and the webhook's path")
  public Uni<WebhookSecretView> rotateWebhookSecret(@PathParam("id") UUID id) {
    return repositories
        .get(user.id(), id)
        .chain(
            repository ->
                webhooks
                    .rotateSecret(user.id(), id)
                    .map(
                        secret ->
                            new WebhookSecretView(
                                secret,
                                "/api/v1/webhooks/"
                                    + repository.forge.name().toLowerCase(Locale.ROOT)
                                    + "/"
                                    + id)));
  }

  static RepositoryView view(Repository r) {
    return new RepositoryView(
        r.id,
        r.url,
        r.defaultBranch,
        r.forge,
        r.sealedCredential != null,
        r.credentialSetAt,
        r.createdAt,
        r.updatedAt);
  }
}
