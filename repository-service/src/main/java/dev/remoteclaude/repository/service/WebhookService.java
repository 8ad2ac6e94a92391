package dev.remoteclaude.repository.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.remoteclaude.api.Forge;
import dev.remoteclaude.common.crypto.SecretBox;
import dev.remoteclaude.common.crypto.SecretContexts;
import dev.remoteclaude.common.events.PullRequestUpdated;
import dev.remoteclaude.common.outbox.Outbox;
import dev.remoteclaude.common.problem.ProblemException;
import dev.remoteclaude.repository.PullRequest;
import dev.remoteclaude.repository.Repository;
import dev.remoteclaude.repository.repository.PullRequestRepository;
import dev.remoteclaude.repository.repository.RepositoryRepository;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * Forge webhooks: a per-repository secret (random, sealed at rest, shown once), and deliveries
 * authenticated by it ({@link WebhookSignatures}) that move a stored pull request's state (merged,
 * closed, reopened, review requested) and announce it ({@code pr.updated}). A delivery that is not
 * signed with the repository's secret changes nothing.
 */
@ApplicationScoped
public class WebhookService {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final RepositoryRepository repositories;
  private final PullRequestRepository pullRequests;
  private final SecretBox secrets;
  private final Outbox outbox;

  public WebhookService(
      RepositoryRepository repositories,
      PullRequestRepository pullRequests,
      SecretBox secrets,
      Outbox outbox) {
    this.repositories = repositories;
    this.pullRequests = pullRequests;
    this.secrets = secrets;
    this.outbox = outbox;
  }

  /** A new webhook secret for the owner's repository (the old one stops working); 404 otherwise. */
  @WithTransaction
  public Uni<String> rotateSecret(String ownerId, UUID repositoryId) {
    return repositories
        .findOwned(ownerId, repositoryId)
        .onItem()
        .ifNull()
        .failWith(() -> ProblemException.notFound("repository " + repositoryId))
        .map(
            repository -> {
              byte[] bytes = new byte[32];
              RANDOM.nextBytes(bytes);
              String secret = HexFormat.of().formatHex(bytes);
              repository.sealedWebhookSecret =
                  secrets.seal(secret, SecretContexts.repositoryWebhookSecret(repository.id));
              repository.updatedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
              return secret;
            });
  }

  /**
   * One delivery. {@code headers} reads a request header by name. Fails with 401 when the
   * repository is unknown, has no secret, is on another forge or the signature does not match
   * (nothing tells these apart); with 400 when a signed body is not JSON.
   */
  @WithTransaction
  public Uni<Void> receive(
      String forgeName, UUID repositoryId, Function<String, String> headers, byte[] body) {
    Forge forge;
    try {
      forge = forge(forgeName);
    } catch (ProblemException e) {
      return Uni.createFrom().failure(e);
    }
    return repositories
        .findById(repositoryId)
        .chain(
            repository -> {
              if (repository == null
                  || repository.forge != forge
                  || repository.sealedWebhookSecret == null
                  || !WebhookSignatures.verify(
                      forge,
                      secrets.open(
                          repository.sealedWebhookSecret,
                          SecretContexts.repositoryWebhookSecret(repository.id)),
                      body,
                      headers.apply(WebhookSignatures.header(forge)))) {
                return Uni.createFrom().failure(badSignature());
              }
              JsonNode json;
              try {
                json = JSON.readTree(body);
              } catch (Exception e) {
                json = null;
              }
              if (json == null || !json.isObject()) {
                return Uni.createFrom()
                    .failure(ProblemException.badRequest("body", "is not a JSON object"));
              }
              Optional<Change> change = change(forge, headers, json);
              if (change.isEmpty()) {
                return Uni.createFrom().voidItem();
              }
              return apply(repository, change.get());
            });
  }

  private Uni<Void> apply(Repository repository, Change change) {
    return pullRequests
        .findByNumber(repository.id, change.number)
        .chain(
            pr -> {
              if (pr == null) {
                return Uni.createFrom().voidItem();
              }
              PullRequest.State state = change.state == null ? pr.state : change.state;
              if (state == pr.state && change.state != null) {
                return Uni.createFrom().voidItem();
              }
              Log.infof(
                  "Pull request %s (%s #%d): %s", pr.id, repository.forge, pr.number, change.what);
              pr.state = state;
              pr.updatedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
              return outbox
                  .emit(
                      new PullRequestUpdated(
                          pr.id, pr.number, pr.url, state.name(), change.what, null, pr.updatedAt),
                      pr.sessionId.toString(),
                      pr.ownerId)
                  .replaceWithVoid();
            });
  }

  /** What a delivery says about a pull request, or empty for events that do not concern one. */
  static Optional<Change> change(Forge forge, Function<String, String> headers, JsonNode json) {
    return switch (forge) {
      case GITHUB -> github(headers.apply("X-GitHub-Event"), json);
      case GITEA -> gitea(headers.apply("X-Gitea-Event"), json);
      case GITLAB -> gitlab(headers.apply("X-Gitlab-Event"), json);
      case BITBUCKET -> bitbucket(headers.apply("X-Event-Key"), json);
    };
  }

  private static Optional<Change> github(String event, JsonNode json) {
    if (!"pull_request".equals(event)) {
      return Optional.empty();
    }
    JsonNode pr = json.path("pull_request");
    long number = pr.path("number").asLong(json.path("number").asLong(0));
    return githubLike(json.path("action").asText(""), pr.path("merged").asBoolean(false), number);
  }

  private static Optional<Change> gitea(String event, JsonNode json) {
    if (event != null && !event.startsWith("pull_request")) {
      return Optional.empty();
    }
    JsonNode pr = json.path("pull_request");
    if (pr.isMissingNode()) {
      return Optional.empty();
    }
    long number = pr.path("number").asLong(json.path("number").asLong(0));
    return githubLike(json.path("action").asText(""), pr.path("merged").asBoolean(false), number);
  }

  private static Optional<Change> githubLike(String action, boolean merged, long number) {
    if (number <= 0) {
      return Optional.empty();
    }
    return switch (action) {
      case "closed" ->
          Optional.of(
              merged
                  ? new Change(number, PullRequest.State.MERGED, "merged")
                  : new Change(number, PullRequest.State.CLOSED, "closed"));
      case "reopened" -> Optional.of(new Change(number, PullRequest.State.OPEN, "reopened"));
      case "ready_for_review" ->
          Optional.of(new Change(number, PullRequest.State.OPEN, "ready for review"));
      case "converted_to_draft" ->
          Optional.of(new Change(number, PullRequest.State.DRAFT, "converted to draft"));
      case "review_requested" -> Optional.of(new Change(number, null, "review requested"));
      default -> Optional.empty();
    };
  }

  private static Optional<Change> gitlab(String event, JsonNode json) {
    if (!"Merge Request Hook".equals(event)
        && !"merge_request".equals(json.path("object_kind").asText())) {
      return Optional.empty();
    }
    JsonNode attributes = json.path("object_attributes");
    long number = attributes.path("iid").asLong(0);
    if (number <= 0) {
      return Optional.empty();
    }
    String action = attributes.path("action").asText("");
    return switch (action) {
      case "merge" -> Optional.of(new Change(number, PullRequest.State.MERGED, "merged"));
      case "close" -> Optional.of(new Change(number, PullRequest.State.CLOSED, "closed"));
      case "reopen" -> Optional.of(new Change(number, PullRequest.State.OPEN, "reopened"));
      case "update" ->
          json.path("changes").has("reviewers")
              ? Optional.of(new Change(number, null, "review requested"))
              : Optional.empty();
      default -> Optional.empty();
    };
  }

  private static Optional<Change> bitbucket(String event, JsonNode json) {
    long number = json.path("pullrequest").path("id").asLong(0);
    if (event == null || number <= 0) {
      return Optional.empty();
    }
    return switch (event) {
      case "pullrequest:fulfilled" ->
          Optional.of(new Change(number, PullRequest.State.MERGED, "merged"));
      case "pullrequest:rejected" ->
          Optional.of(new Change(number, PullRequest.State.CLOSED, "closed"));
      default -> Optional.empty();
    };
  }

  private static Forge forge(String name) {
    try {
      return Forge.valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw ProblemException.notFound("webhook " + name);
    }
  }

  private static ProblemException badSignature() {
    return new ProblemException(
        401,
        "invalid-signature",
        "Unauthorized",
        "the delivery is not signed with this repository's webhook secret",
        null);
  }

  /** A pull request's new state (null: unchanged) and what happened, for people. */
  record Change(long number, PullRequest.State state, String what) {}
}
