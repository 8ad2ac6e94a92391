package dev.remoteclaude.session;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Instants at the database's precision, so what is stored and what is emitted are equal. */
public final class Times {
  private Times() {}

  public static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.MICROS);
  }

  /** Now, but strictly after {@code previous}: transition times of one session never go back. */
  public static Instant nowAfter(Instant previous) {
    Instant now = now();
    return previous != null && !now.isAfter(previous) ? previous.plus(1, ChronoUnit.MICROS) : now;
  }

  public static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  public static Instant max(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }
}
