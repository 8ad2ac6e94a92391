package dev.remoteclaude.repository;

import dev.remoteclaude.testing.ServiceBasicsContract;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class RepositoryServiceBasicsTest extends ServiceBasicsContract {
  @Override
  protected String protectedPath() {
    return "/api/v1/repositories";
  }
}
