package dev.remoteclaude.common.crypto;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Map;

/** The platform's secret keys (from a Kubernetes Secret or the local launcher, never from git). */
@ConfigMapping(prefix = "rc.secrets")
public interface SecretsConfig {

  @WithDefault("k1")
  String keyId();

  /** Every readable key by id, 32 bytes each in base64; must include {@link #keyId()}. */
  Map<String, String> keys();
}
