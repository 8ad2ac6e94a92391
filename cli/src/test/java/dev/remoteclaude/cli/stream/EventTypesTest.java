package dev.remoteclaude.cli.stream;

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
 * The client takes the stream's event types from the published contract, docs/streaming.md, as the
 * gateway does for its own list, so the two cannot drift apart unnoticed.
 */
class EventTypesTest {

  /** A row of the event-type table: {@code | `session.state` | ...}. */
  private static final Pattern ROW = Pattern.compile("(?m)^\\| `([a-z]+\\.[a-z_]+)` \\|");

  @Test
  void knowsExactlyTheDocumentedEventTypes() throws IOException {
    String doc = Files.readString(Path.of("..", "docs", "streaming.md"));
    Set<String> documented =
        ROW.matcher(doc).results().map(r -> r.group(1)).collect(Collectors.toSet());

    assertThat(constants()).isNotEmpty().isEqualTo(documented);
  }

  private static Set<String> constants() {
    return Arrays.stream(EventTypes.class.getDeclaredFields())
        .filter(f -> Modifier.isStatic(f.getModifiers()) && f.getType() == String.class)
        .map(EventTypesTest::value)
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
