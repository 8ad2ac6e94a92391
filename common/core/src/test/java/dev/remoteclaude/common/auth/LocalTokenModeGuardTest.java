package dev.remoteclaude.common.auth;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LocalTokenModeGuardTest {

  private static final Optional<String> KEY = Optional.of("MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIB");

  @Test
  void prodRefusesAConfiguredPublicKey() {
    assertThatThrownBy(() -> LocalTokenModeGuard.check(List.of("prod"), KEY, KEY))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("prod profile")
        .hasMessageContaining("rc.auth.public-key")
        .hasMessageNotContaining(KEY.get());
    // Set directly on quarkus-oidc, or with prod among several profiles: refused too.
    assertThatThrownBy(
            () -> LocalTokenModeGuard.check(List.of("prod", "eu"), Optional.empty(), KEY))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void prodWithoutAPublicKeyStarts() {
    assertThatCode(
            () -> LocalTokenModeGuard.check(List.of("prod"), Optional.empty(), Optional.of(" ")))
        .doesNotThrowAnyException();
  }

  @Test
  void otherProfilesMayUseTheLocalMode() {
    for (String profile : List.of("local", "test", "dev")) {
      assertThatCode(() -> LocalTokenModeGuard.check(List.of(profile), KEY, KEY))
          .doesNotThrowAnyException();
    }
  }
}
