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

/** GitHub (github.com and Enterprise): its own timeout, bulkhead and circuit breaker. */
@ApplicationScoped
class GitHubForge implements ForgeApi {

  static final String NAME = "GitHub";

  private final RestClients<GitHubClient> clients;

  GitHubForge(RepositoryConfig config) {
    this.clients = new RestClients<>(GitHubClient.class, config);
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
    return ForgeErrors.mapped(
        clients
            .of(target.apiBase())
            .create(
                target.owner(),
                target.name(),
                "Bearer " + token,
                new GitHubClient.NewPull(
                    request.title(),
                    request.body(),
                    request.head(),
                    request.base(),
                    request.draft()))
            .map(GitHubForge::pullRequest),
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
    return ForgeErrors.mapped(
        clients
            .of(target.apiBase())
            .list(target.owner(), target.name(), target.owner() + ":" + head, "Bearer " + token)
            .map(pulls -> pulls.stream().map(GitHubForge::pullRequest).toList()),
        NAME,
        target,
        "list the pull requests");
  }

  static ForgePullRequest pullRequest(GitHubClient.Pull pull) {
    PullRequest.State state;
    if (pull.mergedAt() != null) {
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
