package dev.remoteclaude.session;

import dev.remoteclaude.common.crypto.SecretBox;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** A fresh sealing key for each test run: no key material lives in git. */
@QuarkusTestResource(TestSecretsResource.class)
public class TestSecretsResource implements QuarkusTestResourceLifecycleManager {

  @Override
  public Map<String, String> start() {
    return Map.of("rc.secrets.key-id", "k1", "rc.secrets.keys.k1", SecretBox.newKey());
  }

  @Override
  public void stop() {}
}
