package dev.remoteclaude.session;

import dev.remoteclaude.testing.ServiceBasicsContract;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class SessionServiceBasicsTest extends ServiceBasicsContract {
  @Override
  protected String protectedPath() {
    return "/api/v1/sessions";
  }
}
