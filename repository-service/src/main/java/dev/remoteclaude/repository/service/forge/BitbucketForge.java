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

/** Bitbucket Cloud: its own timeout, bulkhead and circuit breaker. */
@ApplicationScoped
class BitbucketForge implements ForgeApi {

  static final String NAME = "Bitbucket";
  private static final List<String> ALL_STATES =
      List.of("OPEN", "MERGED", "DECLINED", "SUPERSEDED");

  private final RestClients<BitbucketClient> clients;

  BitbucketForge(RepositoryConfig config) {
    this.clients = new RestClients<>(BitbucketClient.class, config);
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
                new BitbucketClient.NewPull(
                    request.title(),
                    request.body(),
                    endpoint(request.head()),
                    endpoint(request.base()),
                    request.draft()))
            .map(BitbucketForge::pullRequest),
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
    String q = "source.branch.name=\"" + head.replace("\"", "\\\"") + "\"";
    return ForgeErrors.mapped(
        clients
            .of(target.apiBase())
            .list(target.owner(), target.name(), q, ALL_STATES, "Bearer " + token)
            .map(
                page ->
                    page.values() == null
                        ? List.<ForgePullRequest>of()
                        : page.values().stream().map(BitbucketForge::pullRequest).toList()),
        NAME,
        target,
        "list the pull requests");
  }

  private static BitbucketClient.Endpoint endpoint(String branch) {
    return new BitbucketClient.Endpoint(new BitbucketClient.Branch(branch));
  }

  static ForgePullRequest pullRequest(BitbucketClient.Pull pull) {
    PullRequest.State state =
        switch (pull.state() == null ? "" : pull.state()) {
          case "MERGED" -> PullRequest.State.MERGED;
          case "DECLINED", "SUPERSEDED" -> PullRequest.State.CLOSED;
          default -> pull.draft() ? PullRequest.State.DRAFT : PullRequest.State.OPEN;
        };
    return new ForgePullRequest(
        pull.id(),
        pull.links() == null || pull.links().html() == null ? null : pull.links().html().href(),
        state,
        pull.title(),
        branch(pull.source()),
        branch(pull.destination()),
        pull.draft());
  }

  private static String branch(BitbucketClient.Endpoint endpoint) {
    return endpoint == null || endpoint.branch() == null ? null : endpoint.branch().name();
  }
}
