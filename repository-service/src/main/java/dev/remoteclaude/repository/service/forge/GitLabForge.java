package dev.remoteclaude.repository.service.forge;

import dev.remoteclaude.repository.PullRequest;
import dev.remoteclaude.repository.config.RepositoryConfig;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.eclipse.microprofile.faulttolerance.Bulkhead;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;

/**
 * GitLab (gitlab.com and self-managed): its own timeout, bulkhead and circuit breaker. A draft is a
 * title starting with {@code Draft:}, as GitLab marks one.
 */
@ApplicationScoped
class GitLabForge implements ForgeApi {

  static final String NAME = "GitLab";

  private final RestClients<GitLabClient> clients;

  GitLabForge(RepositoryConfig config) {
    this.clients = new RestClients<>(GitLabClient.class, config);
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
    String title = request.draft() ? "Draft: " + request.title() : request.title();
    return ForgeErrors.mapped(
        clients
            .of(target.apiBase())
            .create(
                project(target),
                token,
                new GitLabClient.NewMergeRequest(
                    request.head(), request.base(), title, request.body()))
            .map(GitLabForge::pullRequest),
        NAME,
        target,
        "open a merge request");
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
            .list(project(target), head, token)
            .map(list -> list.stream().map(GitLabForge::pullRequest).toList()),
        NAME,
        target,
        "list the merge requests");
  }

  static String project(ForgeTarget target) {
    return URLEncoder.encode(target.fullPath(), StandardCharsets.UTF_8);
  }

  static ForgePullRequest pullRequest(GitLabClient.MergeRequest mr) {
    PullRequest.State state =
        switch (mr.state() == null ? "" : mr.state()) {
          case "merged" -> PullRequest.State.MERGED;
          case "closed", "locked" -> PullRequest.State.CLOSED;
          default -> mr.draft() ? PullRequest.State.DRAFT : PullRequest.State.OPEN;
        };
    return new ForgePullRequest(
        mr.iid(), mr.webUrl(), state, mr.title(), mr.sourceBranch(), mr.targetBranch(), mr.draft());
  }
}
