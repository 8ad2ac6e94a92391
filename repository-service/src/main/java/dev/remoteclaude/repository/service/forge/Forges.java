package dev.remoteclaude.repository.service.forge;

import dev.remoteclaude.api.Forge;
import dev.remoteclaude.repository.config.RepositoryConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.eclipse.microprofile.faulttolerance.exceptions.BulkheadException;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;

/**
 * The pull request APIs of the four forges, for the rest of the service: where a repository's API
 * is ({@link #target}), and its calls, each answering on the caller's Vert.x context (so database
 * work can follow) and failing only with a {@link ForgeFailure}.
 */
@ApplicationScoped
public class Forges {

  private final Map<String, String> apiBases;
  private final GitHubForge github;
  private final GitLabForge gitlab;
  private final BitbucketForge bitbucket;
  private final GiteaForge gitea;

  Forges(
      RepositoryConfig config,
      GitHubForge github,
      GitLabForge gitlab,
      BitbucketForge bitbucket,
      GiteaForge gitea) {
    this.apiBases = config.forges().apiBase();
    this.github = github;
    this.gitlab = gitlab;
    this.bitbucket = bitbucket;
    this.gitea = gitea;
  }

  /**
   * The forge API of a repository URL: {@code github.com} → {@code https://api.github.com}, GitHub
   * Enterprise {@code https://host/api/v3}, GitLab {@code https://host/api/v4}, {@code
   * bitbucket.org} → {@code https://api.bitbucket.org/2.0}, Gitea {@code https://host/api/v1}; a
   * host configured in {@code repository.forges.api-base} uses that base.
   *
   * @throws ForgeFailure NOT_SUPPORTED when the URL names no forge API
   */
  public ForgeTarget target(Forge forge, String repositoryUrl) {
    URI uri;
    try {
      uri = new URI(repositoryUrl.strip());
    } catch (URISyntaxException e) {
      throw notSupported("its URL is not a web address");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("https") || scheme.equals("http")) || uri.getHost() == null) {
      throw notSupported("only a repository on a forge's web address has pull requests");
    }
    String host = uri.getHost().toLowerCase(Locale.ROOT);
    String path = uri.getPath() == null ? "" : uri.getPath();
    if (path.endsWith(".git")) {
      path = path.substring(0, path.length() - 4);
    }
    List<String> segments = Arrays.stream(path.split("/")).filter(s -> !s.isBlank()).toList();
    boolean nested = forge == Forge.GITLAB;
    if (segments.size() < 2 || (!nested && segments.size() != 2)) {
      throw notSupported("its URL does not name an owner and a repository (" + path + ")");
    }
    String origin = scheme + "://" + uri.getRawAuthority();
    String configured = apiBases.get(host);
    String base;
    if (configured != null) {
      base = configured;
    } else {
      base =
          switch (forge) {
            case GITHUB ->
                host.equals("github.com") ? "https://api.github.com" : origin + "/api/v3";
            case GITLAB -> origin + "/api/v4";
            case BITBUCKET -> {
              if (!host.equals("bitbucket.org")) {
                throw notSupported("only Bitbucket Cloud (bitbucket.org) is supported");
              }
              yield "https://api.bitbucket.org/2.0";
            }
            case GITEA -> origin + "/api/v1";
          };
    }
    return new ForgeTarget(forge, URI.create(base), segments);
  }

  public Uni<ForgePullRequest> create(
      ForgeTarget target, String token, NewForgePullRequest request) {
    return guarded(target, () -> api(target.forge()).create(target, token, request));
  }

  /** The pull requests whose head is {@code head}, in any state. */
  public Uni<List<ForgePullRequest>> listByHead(ForgeTarget target, String token, String head) {
    return guarded(target, () -> api(target.forge()).listByHead(target, token, head));
  }

  /** The forge's name for people: GitHub, GitLab, Bitbucket, Gitea. */
  public static String name(Forge forge) {
    return switch (forge) {
      case GITHUB -> GitHubForge.NAME;
      case GITLAB -> GitLabForge.NAME;
      case BITBUCKET -> BitbucketForge.NAME;
      case GITEA -> GiteaForge.NAME;
    };
  }

  private ForgeApi api(Forge forge) {
    return switch (forge) {
      case GITHUB -> github;
      case GITLAB -> gitlab;
      case BITBUCKET -> bitbucket;
      case GITEA -> gitea;
    };
  }

  private <T> Uni<T> guarded(ForgeTarget target, Supplier<Uni<? extends T>> call) {
    String name = name(target.forge());
    Context context = Vertx.currentContext();
    Uni<T> uni =
        Uni.createFrom()
            .<T>deferred(call)
            .onFailure()
            .transform(
                failure -> {
                  if (failure instanceof ForgeFailure) {
                    return failure;
                  }
                  if (failure instanceof TimeoutException) {
                    return new ForgeFailure.Unavailable(
                        name + " did not answer in time; try again later");
                  }
                  if (failure instanceof CircuitBreakerOpenException
                      || failure instanceof BulkheadException) {
                    return new ForgeFailure.Unavailable(
                        name + " is unavailable just now (it failed repeatedly); try again later");
                  }
                  return ForgeErrors.map(failure, name, target, "call the API");
                });
    if (context != null) {
      // Continue on the caller's Vert.x context: the database work that follows needs it.
      uni = uni.emitOn(task -> context.runOnContext(ignored -> task.run()));
    }
    return uni;
  }

  private static ForgeFailure notSupported(String why) {
    return new ForgeFailure(
        ForgeFailure.Code.NOT_SUPPORTED, "pull requests cannot be opened here: " + why);
  }
}
