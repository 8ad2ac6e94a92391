package dev.remoteclaude.common.crypto;

import java.util.UUID;

/**
 * The contexts secrets are sealed in ({@link SecretBox#seal(String, String)}), named once for the
 * service that seals a value and the one that opens it. A context binds a value to its place: a
 * value sealed for one session (or one variable) does not open for another. The strings are stored
 * with every sealed value, so they never change.
 */
public final class SecretContexts {

  private SecretContexts() {}

  /** An environment variable of a session: {@code session/<id>/env/<name>}. */
  public static String sessionEnvironment(UUID sessionId, String name) {
    return "session/" + sessionId + "/env/" + name;
  }

  /** The git credential a session's repository is cloned with: {@code session/<id>/git}. */
  public static String sessionGitCredential(UUID sessionId) {
    return "session/" + sessionId + "/git";
  }

  /**
   * The git credential of a registered repository, as repository-service stores it and sends it in
   * its events: {@code repository/<id>/git}. session-service opens it only to seal it again for a
   * session ({@link #sessionGitCredential}).
   */
  public static String repositoryCredential(UUID repositoryId) {
    return "repository/" + repositoryId + "/git";
  }

  /**
   * The secret a registered repository's forge signs its webhook deliveries with, as
   * repository-service stores it: {@code repository/<id>/webhook}.
   */
  public static String repositoryWebhookSecret(UUID repositoryId) {
    return "repository/" + repositoryId + "/webhook";
  }

  /**
   * A user's own Anthropic API key, as billing stores it and sends it to the gateway's model proxy:
   * {@code user/<id>/anthropic-key}.
   */
  public static String userAnthropicKey(String userId) {
    return "user/" + userId + "/anthropic-key";
  }
}
