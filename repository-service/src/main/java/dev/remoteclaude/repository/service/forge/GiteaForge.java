package dev.remoteclaude.repository.service.forge;

import dev.remoteclaude.repository.PullRequest;
import dev.remoteclaude.repository.config.RepositoryConfig;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.eclipse.microprofile.faulttolerance.Bulkhead;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;

/**
 * Gitea (and Forgejo): its own timeout, bulkhead and circuit breaker. A draft is a title starting
 * with {@code WIP:}, as Gitea marks one.
 */
@ApplicationScoped
class GiteaForge implements ForgeApi {

  static final String NAME = "Gitea";

  private final RestClients<GiteaClient> clients;

  GiteaForge(RepositoryConfig config) {
    this.clients = new RestClients<>(GiteaClient.class, config);
  }

  @Override
  @Timeout(value = 30, unit = ChronoUnit.SECONDS)
  @Bulkhead(value = 20, waitingTaskQueue = 50)
  @CircuitBreaker(
      requestVolumeThreshold = 10,
      failureRatio = 0.5,
      delay = 30,
      delayUnit = ChronoUnit.SECONDS,
      failOn = {ForgeFailure.Unavailable.class, TimeoutException.class})
  public Uni<ForgePullRequest> create(
      ForgeTarget target, String token, NewForgePullRequest request) {
    String title = request.draft() ? "WIP: " + request.title() : request.title();
    return ForgeErrors.mapped(
        clients
            .of(target.apiBase())
            .create(
                target.owner(),
                target.name(),
                "token " + token,
                new GiteaClient.NewPull(request.head(), request.base(), title, request.body()))
            .map(GiteaForge::pullRequest),
        NAME,
        target,
        "open a pull request");
  }

  @Override
  @Timeout(value = 30, unit = ChronoUnit.SECONDS)
  @Bulkhead(value = 20, waitingTaskQueue = 50)
  @CircuitBreaker(
      requestVolumeThreshold = 10,
      failureRatio = 0.5,
      delay = 30,
      delayUnit = ChronoUnit.SECONDS,
      failOn = {ForgeFailure.Unavailable.class, TimeoutException.class})
  public Uni<List<ForgePullRequest>> listByHead(ForgeTarget target, String token, String head) {
    return ForgeErrors.mapped(page(target, token, head, 1), NAME, target, "list the pull requests");
  }

  /**
   * Gitea filters by state but not by head: the open pull requests are read page by page until the
   * branch's is found or the pages end (at most {@link #MAX_PAGES}).
   */
  private Uni<List<ForgePullRequest>> page(
      ForgeTarget target, String token, String head, int page) {
    return clients
        .of(target.apiBase())
        .list(target.owner(), target.name(), "token " + token, page, PAGE_SIZE)
        .chain(
            list -> {
              List<ForgePullRequest> found =
                  list.stream()
                      .filter(p -> p.head() != null && head.equals(p.head().ref()))
                      .map(GiteaForge::pullRequest)
                      .toList();
              if (!found.isEmpty() || list.size() < PAGE_SIZE || page >= MAX_PAGES) {
                return Uni.createFrom().item(found);
              }
              return page(target, token, head, page + 1);
            });
  }

  /** Gitea's default most items per page ({@code MAX_RESPONSE_ITEMS}). */
  static final int PAGE_SIZE = 50;

  /** 1,000 open pull requests: a branch's own is looked for no further back. */
  static final int MAX_PAGES = 20;

  static ForgePullRequest pullRequest(GiteaClient.Pull pull) {
    PullRequest.State state;
    if (pull.merged()) {
      state = PullRequest.State.MERGED;
    } else if ("closed".equals(pull.state())) {
      state = PullRequest.State.CLOSED;
    } else {
      state = pull.draft() ? PullRequest.State.DRAFT : PullRequest.State.OPEN;
    }
    return new ForgePullRequest(
        pull.number(),
        pull.htmlUrl(),
        state,
        pull.title(),
        pull.head() == null ? null : pull.head().ref(),
        pull.base() == null ? null : pull.base().ref(),
        pull.draft());
  }
}
