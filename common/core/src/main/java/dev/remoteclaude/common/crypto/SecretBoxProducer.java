package dev.remoteclaude.common.crypto;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

/** Makes the configured {@link SecretBox} injectable. */
public class SecretBoxProducer {

  @Produces
  @ApplicationScoped
  SecretBox secretBox(SecretsConfig config) {
    return new SecretBox(config.keyId(), config.keys());
  }
}
