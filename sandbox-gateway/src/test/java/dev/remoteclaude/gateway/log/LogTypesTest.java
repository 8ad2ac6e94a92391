package dev.remoteclaude.gateway.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The stream's event types are a published contract: docs/streaming.md lists exactly these. The CLI
 * checks its own list against the same table.
 */
class LogTypesTest {

  /** A row of the event-type table: {@code | `session.state` | ...}. */
  private static final Pattern ROW = Pattern.compile("(?m)^\\| `([a-z]+\\.[a-z_]+)` \\|");

  @Test
  void everyEventTypeIsDocumentedAndEveryDocumentedTypeExists() throws IOException {
    String doc = Files.readString(Path.of("..", "docs", "streaming.md"));
    Set<String> documented =
        ROW.matcher(doc).results().map(r -> r.group(1)).collect(Collectors.toSet());

    assertThat(constants()).isNotEmpty().isEqualTo(documented);
  }

  private static Set<String> constants() {
    return Arrays.stream(LogTypes.class.getDeclaredFields())
        .filter(f -> Modifier.isStatic(f.getModifiers()) && f.getType() == String.class)
        .map(LogTypesTest::value)
        .collect(Collectors.toSet());
  }

  private static String value(Field field) {
    try {
      return (String) field.get(null);
    } catch (IllegalAccessException e) {
      throw new AssertionError(e);
    }
  }
}
