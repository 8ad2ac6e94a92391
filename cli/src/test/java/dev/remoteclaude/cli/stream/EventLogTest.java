package dev.remoteclaude.cli.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.remoteclaude.cli.api.Api;
import dev.remoteclaude.cli.config.Connection;
import dev.remoteclaude.cli.support.FakePlatform;
import java.net.URI;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EventLogTest {

  private static final FakePlatform PLATFORM = new FakePlatform();
  private static final Api API =
      new Api(
          Api.newHttpClient(),
          new Connection(URI.create(PLATFORM.url()), FakePlatform.TOKEN, "test", "test"));

  @AfterAll
  static void stop() {
    PLATFORM.close();
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 3, 7, 8, 9, 64, 100, 1000, 1025})
  void findsTheNewestSeqWithAFewSmallProbes(int size) {
    UUID session = PLATFORM.session("READY");
    for (int i = 0; i < size; i++) {
      PLATFORM.append(session, "claude.text", null, Map.of("text", "x"));
    }
    long before = PLATFORM.requests().stream().filter(r -> r.contains(session.toString())).count();

    long head = new EventLog(API).head(session);

    long probes =
        PLATFORM.requests().stream().filter(r -> r.contains(session.toString())).count() - before;
    assertThat(head).isEqualTo(size);
    assertThat(probes).isLessThanOrEqualTo(2L * (64 - Long.numberOfLeadingZeros(size + 1L)) + 3);
  }
}
