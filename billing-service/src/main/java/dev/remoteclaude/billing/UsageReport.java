package dev.remoteclaude.billing;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A user's usage over [from, to): the ledger's lines added up per UTC day, session, task, kind and
 * detail, plus what still-running intervals have cost so far ({@link UsageLine#open()}).
 */
public record UsageReport(Instant from, Instant to, List<UsageLine> lines) {

  public BigDecimal totalUsd() {
    return lines.stream().map(UsageLine::amountUsd).reduce(BigDecimal.ZERO, BigDecimal::add);
  }

  /** The lines added up per key of {@code groupBy}, in the order keys first appear. */
  public List<UsageGroup> groups(GroupBy groupBy) {
    Map<String, UsageGroup> out = new LinkedHashMap<>();
    for (UsageLine line : lines) {
      String key = groupBy.keyOf(line);
      out.computeIfAbsent(key, UsageGroup::empty);
      out.put(key, out.get(key).plus(line));
    }
    return new ArrayList<>(out.values());
  }

  /** Compute seconds per session state. */
  public Map<String, Long> secondsByState() {
    Map<String, Long> out = new LinkedHashMap<>();
    for (UsageLine line : lines) {
      if (line.kind() == UsageKind.COMPUTE) {
        out.merge(line.detail(), line.seconds(), Long::sum);
      }
    }
    return out;
  }

  /** Tokens per model. */
  public Map<String, TokenCounts> tokensByModel() {
    Map<String, TokenCounts> out = new LinkedHashMap<>();
    for (UsageLine line : lines) {
      if (line.kind() == UsageKind.MODEL) {
        out.merge(
            line.detail(),
            new TokenCounts(
                line.inputTokens(),
                line.outputTokens(),
                line.cacheReadTokens(),
                line.cacheWriteTokens()),
            (a, b) ->
                new TokenCounts(
                    a.input() + b.input(),
                    a.output() + b.output(),
                    a.cacheRead() + b.cacheRead(),
                    a.cacheCreation() + b.cacheCreation()));
      }
    }
    return out;
  }
}
