package dev.remoteclaude.repository.rest;

import dev.remoteclaude.api.Paging;
import dev.remoteclaude.common.auth.CurrentUser;
import dev.remoteclaude.repository.repository.RepositoryRepository;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

@Path("/api/v1/repositories")
@Authenticated
public class RepositoryResource {

  /**
   * A registered repository as its owner sees it: never the credential, only whether one is set.
   */
  public record RepositoryView(
      UUID id, String url, String defaultBranch, boolean hasCredential, Instant createdAt) {}

  private final RepositoryRepository repositories;
  private final CurrentUser user;

  public RepositoryResource(RepositoryRepository repositories, CurrentUser user) {
    this.repositories = repositories;
    this.user = user;
  }

  @GET
  public Uni<List<RepositoryView>> list(
      @QueryParam("page") @DefaultValue("0") @Min(0) @Max(Paging.MAX_PAGE) int page,
      @QueryParam("size") @DefaultValue("20") @Min(1) @Max(100) int size) {
    return repositories
        .listOwnedBy(user.id(), page, size)
        .map(
            list ->
                list.stream()
                    .map(
                        r ->
                            new RepositoryView(
                                r.id,
                                r.url,
                                r.defaultBranch,
                                r.sealedCredential != null,
                                r.createdAt))
                    .toList());
  }
}
