package dev.remoteclaude.common.fuzz;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.remoteclaude.testing.EndpointFuzzer;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/**
 * The fuzzer itself, against this module's test app: it catches the one endpoint that answers 500
 * ({@code /api/v1/notes/boom}), names the seed, and passes the endpoints that behave.
 */
@QuarkusTest
class EndpointFuzzerTest {

  @Test
  void aServerErrorIsCaughtAndReportedWithItsSeed() {
    EndpointFuzzer fuzzer = EndpointFuzzer.forService().randomCases(5);
    assertThatThrownBy(fuzzer::run)
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("GET /api/v1/notes/boom")
        .hasMessageContaining("a server error")
        .hasMessageContaining("-Drc.fuzz.seed=" + fuzzer.seed());
  }

  @Test
  void wellBehavedEndpointsPass() {
    EndpointFuzzer.forService().skip("GET /api/v1/notes/boom").randomCases(5).run();
  }
}
