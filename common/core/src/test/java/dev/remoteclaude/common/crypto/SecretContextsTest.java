package dev.remoteclaude.common.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * session-service seals a session's secrets, sandbox-gateway opens them: both name the context
 * through {@link SecretContexts}, and values sealed before it existed (the gateway's own strings)
 * still open.
 */
class SecretContextsTest {

  private final Map<String, String> keys = Map.of("k1", SecretBox.newKey());
  private final SecretBox sessionService = new SecretBox("k1", keys);
  private final SecretBox gateway = new SecretBox("k1", keys);
  private final UUID session = UUID.randomUUID();

  @Test
  void anEnvironmentValueSealedBySessionServiceOpensInTheGateway() {
    String sealed =
        sessionService.seal("s3cr3t", SecretContexts.sessionEnvironment(session, "API_TOKEN"));

    assertThat(gateway.open(sealed, SecretContexts.sessionEnvironment(session, "API_TOKEN")))
        .isEqualTo("s3cr3t");
    assertThat(gateway.open(sealed, "session/" + session + "/env/API_TOKEN")).isEqualTo("s3cr3t");
    assertThatThrownBy(
            () -> gateway.open(sealed, SecretContexts.sessionEnvironment(session, "OTHER")))
        .isInstanceOf(SecretBox.SecretException.class);
    assertThatThrownBy(
            () ->
                gateway.open(
                    sealed, SecretContexts.sessionEnvironment(UUID.randomUUID(), "API_TOKEN")))
        .isInstanceOf(SecretBox.SecretException.class);
  }

  @Test
  void aGitCredentialOpensForItsSessionOnly() {
    String sealed = sessionService.seal("ghp_token", SecretContexts.sessionGitCredential(session));

    assertThat(gateway.open(sealed, SecretContexts.sessionGitCredential(session)))
        .isEqualTo("ghp_token");
    assertThat(gateway.open(sealed, "session/" + session + "/git")).isEqualTo("ghp_token");
    assertThatThrownBy(
            () -> gateway.open(sealed, SecretContexts.sessionGitCredential(UUID.randomUUID())))
        .isInstanceOf(SecretBox.SecretException.class);
    assertThatThrownBy(
            () -> gateway.open(sealed, SecretContexts.sessionEnvironment(session, "git")))
        .isInstanceOf(SecretBox.SecretException.class);
  }
}
