package dev.remoteclaude.common.auth;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.config.SmallRyeConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;

/**
 * Refuses to start a service in the {@code prod} profile with the local token mode on: tokens
 * verified against a configured public key ({@code rc.auth.public-key}, i.e. {@code
 * quarkus.oidc.public-key}) are what the local launcher and tests mint for themselves, with no
 * identity provider. Production verifies tokens against its identity provider ({@code
 * quarkus.oidc.auth-server-url}).
 */
@ApplicationScoped
public class LocalTokenModeGuard {

  static final String PROD = "prod";

  void onStart(@Observes StartupEvent event, Config config) {
    SmallRyeConfig smallRye = config.unwrap(SmallRyeConfig.class);
    check(
        smallRye.getProfiles(),
        config.getOptionalValue("rc.auth.public-key", String.class),
        config.getOptionalValue("quarkus.oidc.public-key", String.class));
  }

  /**
   * Fails (with a message naming the setting) if {@code profiles} include {@code prod} and a public
   * key for locally minted tokens is configured.
   */
  static void check(
      List<String> profiles, Optional<String> rcPublicKey, Optional<String> oidcPublicKey) {
    if (!profiles.contains(PROD)) {
      return;
    }
    boolean local =
        rcPublicKey.filter(key -> !key.isBlank()).isPresent()
            || oidcPublicKey.filter(key -> !key.isBlank()).isPresent();
    if (local) {
      throw new IllegalStateException(
          "the prod profile refuses the local token mode: rc.auth.public-key (or"
              + " quarkus.oidc.public-key) is set, so tokens would be verified against a locally"
              + " configured key instead of the identity provider. Unset it and set"
              + " quarkus.oidc.auth-server-url (see docs/configuration.md), or run the local"
              + " profile.");
    }
  }
}
