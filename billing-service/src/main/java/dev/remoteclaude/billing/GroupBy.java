package dev.remoteclaude.billing;

import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/** How a usage report adds its lines up. */
public enum GroupBy {
  /** The UTC day a line's period starts in (lines never cross midnight). */
  DAY(line -> line.periodStart().atOffset(ZoneOffset.UTC).toLocalDate().toString()),
  SESSION(line -> line.sessionId().toString()),
  /** Compute lines belong to no task: their key is null. */
  TASK(line -> line.taskId() == null ? null : line.taskId().toString()),
  KIND(line -> line.kind().name());

  private final Function<UsageLine, String> key;

  GroupBy(Function<UsageLine, String> key) {
    this.key = key;
  }

  public String keyOf(UsageLine line) {
    return key.apply(line);
  }

  /** The grouping named (case-insensitive: {@code day}, {@code session}, ...), if any. */
  public static Optional<GroupBy> named(String name) {
    return Arrays.stream(values())
        .filter(g -> g.name().equals(name.toUpperCase(Locale.ROOT)))
        .findFirst();
  }
}
