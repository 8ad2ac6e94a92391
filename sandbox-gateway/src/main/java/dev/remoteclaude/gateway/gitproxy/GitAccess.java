package dev.remoteclaude.gateway.gitproxy;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.common.events.PullRequestOption;
import dev.remoteclaude.common.git.GitConfig;
import dev.remoteclaude.gateway.config.GatewayConfig;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Locale;
import java.util.UUID;

/**
 * A session's way to its repository through the git proxy: a token minted when its sandbox is
 * provisioned (only its hash is stored) and revoked when the session ends, and the proxy URL the
 * sandbox's {@code origin} points at.
 */
@ApplicationScoped
public class GitAccess {

  static final String PREFIX = "rc-git-";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final GitSessionRepository sessions;
  private final GitMirrors mirrors;
  private final GatewayConfig config;
  private final GitConfig git;

  public GitAccess(
      GitSessionRepository sessions, GitMirrors mirrors, GatewayConfig config, GitConfig git) {
    this.sessions = sessions;
    this.mirrors = mirrors;
    this.config = config;
    this.git = git;
  }

  /** Whether the repository is fetched through the proxy (http and https ones are). */
  public static boolean proxied(String repositoryUrl) {
    if (repositoryUrl == null) {
      return false;
    }
    String lower = repositoryUrl.strip().toLowerCase(Locale.ROOT);
    return lower.startsWith("https://") || lower.startsWith("http://");
  }

  /**
   * A new token for the session (any earlier one stops working) and the URL, with the token as its
   * password, that the sandbox clones from; inside a transaction. {@code sealedCredential} stays
   * sealed as session-service sent it; {@code branch} is the one the session was created with (or
   * null), which it may push to when it lies under the branch prefix.
   */
  public Uni<String> open(
      UUID sessionId,
      String ownerId,
      String repositoryUrl,
      String sealedCredential,
      String branch) {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    String token = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    return sessions
        .save(sessionId, hash(token), ownerId, repositoryUrl.strip(), sealedCredential, branch)
        .replaceWith(remoteUrl(sessionId, token));
  }

  /**
   * Ends the session's token (inside a transaction); its mirror is deleted in the background (off
   * the transaction's context: JGit and the file system block).
   */
  public Uni<Void> close(UUID sessionId) {
    return sessions
        .delete(sessionId)
        .invoke(
            () ->
                Infrastructure.getDefaultWorkerPool()
                    .execute(
                        () -> {
                          try {
                            mirrors.delete(sessionId);
                          } catch (RuntimeException e) {
                            Log.warnf(
                                "session %s: git mirror not deleted: %s",
                                sessionId, e.getMessage());
                          }
                        }));
  }

  /** The session's working branch: {@code <prefix><first 8 characters of its id>}. */
  public String workingBranch(UUID sessionId) {
    return PushPolicy.workingBranch(git.branchPrefix(), sessionId);
  }

  /** Marks the push a task is about to make, so that it is announced with the task. */
  public Uni<Void> expectTaskPush(
      UUID sessionId, UUID taskId, String branch, PullRequestOption pullRequest) {
    String json;
    try {
      json = pullRequest == null ? null : EventCodec.mapper().writeValueAsString(pullRequest);
    } catch (JsonProcessingException e) {
      return Uni.createFrom().failure(e);
    }
    return sessions.markPending(sessionId, taskId, branch, json);
  }

  /** The task's push is over (made or not). */
  public Uni<Void> taskPushDone(UUID sessionId) {
    return sessions.clearPending(sessionId);
  }

  private String remoteUrl(UUID sessionId, String token) {
    URI base = URI.create(proxyBase());
    return base.getScheme()
        + "://rc:"
        + token
        + "@"
        + base.getRawAuthority()
        + "/git/"
        + sessionId
        + "/repo.git";
  }

  private String proxyBase() {
    return config
        .modelProxy()
        .sandboxUrl()
        .filter(url -> !url.isBlank())
        .orElse("http://127.0.0.1:" + config.modelProxy().port())
        .replaceAll("/+$", "");
  }

  static byte[] hash(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
