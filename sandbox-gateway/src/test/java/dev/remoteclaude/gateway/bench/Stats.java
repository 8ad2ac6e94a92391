package dev.remoteclaude.gateway.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Percentiles of a sample of durations in nanoseconds, reported in milliseconds. */
record Stats(int n, double p50, double p90, double p99, double max) {

  static Stats of(List<Long> nanos) {
    long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
    return new Stats(
        sorted.length,
        ms(pick(sorted, 0.50)),
        ms(pick(sorted, 0.90)),
        ms(pick(sorted, 0.99)),
        ms(sorted[sorted.length - 1]));
  }

  private static long pick(long[] sorted, double q) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
  }

  private static double ms(long nanos) {
    return nanos / 1_000_000.0;
  }

  String row(String label) {
    return String.format(
        Locale.ROOT, "| %s | %d | %.2f | %.2f | %.2f | %.2f |", label, n, p50, p90, p99, max);
  }

  static String header() {
    return "| what | n | p50 ms | p90 ms | p99 ms | max ms |\n|---|---|---|---|---|---|";
  }

  static long[] toArray(List<Long> values) {
    return values.stream().mapToLong(Long::longValue).toArray();
  }

  @Override
  public String toString() {
    return Arrays.toString(new double[] {p50, p90, p99, max});
  }
}
