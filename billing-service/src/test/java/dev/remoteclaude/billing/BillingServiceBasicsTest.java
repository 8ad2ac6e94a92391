package dev.remoteclaude.billing;

import dev.remoteclaude.testing.ServiceBasicsContract;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class BillingServiceBasicsTest extends ServiceBasicsContract {
  @Override
  protected String protectedPath() {
    return "/api/v1/billing/usage";
  }
}
