package dev.remoteclaude.gateway;

import dev.remoteclaude.testing.ServiceBasicsContract;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class SandboxGatewayBasicsTest extends ServiceBasicsContract {
  @Override
  protected String protectedPath() {
    return "/api/v1/sessions/00000000-0000-0000-0000-000000000000/events";
  }
}
