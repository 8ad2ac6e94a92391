package dev.remoteclaude.gateway.provider.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.remoteclaude.gateway.provider.ExecRequest;
import dev.remoteclaude.gateway.provider.ExecResult;
import dev.remoteclaude.gateway.provider.ProviderConfigs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cost of the local provider's isolation, side by side in one run (see docs/benchmarks.md):
 * sandbox start (create, then the first command, which sets up the namespaces) and a command's
 * round trip ({@code true}), with a network namespace (pasta, or none) and limits (cgroups,
 * rlimits), against bubblewrap alone on the host's network without cgroups. Rounds alternate
 * between the configurations so that drift of the machine hits them alike.
 */
@Tag("benchmark")
class LocalIsolationBenchmark {

  private static final int ROUNDS = 10;
  private static final int STARTS_PER_ROUND = 3;
  private static final int COMMANDS_PER_ROUND = 30;

  @TempDir Path root;

  @Test
  void isolationCostOnSandboxStartAndCommandRoundTrip() throws IOException {
    assumeThat(SandboxNamespaces.installed("bwrap")).isTrue();
    Map<String, LocalSandboxProvider> configurations = new LinkedHashMap<>();
    configurations.put("bubblewrap, host network, no cgroups (baseline)", provider("host", false));
    configurations.put("+ network namespace, no network, + cgroups", provider("none", true));
    if (SandboxNamespaces.installed("pasta")) {
      configurations.put("+ network namespace through pasta, + cgroups", provider("pasta", true));
    }
    Map<String, List<Long>> starts = new LinkedHashMap<>();
    Map<String, List<Long>> commands = new LinkedHashMap<>();
    configurations.keySet().forEach(k -> starts.put(k, new ArrayList<>()));
    configurations.keySet().forEach(k -> commands.put(k, new ArrayList<>()));
    // One warm-up round, not counted.
    for (int round = -1; round < ROUNDS; round++) {
      for (Map.Entry<String, LocalSandboxProvider> c : configurations.entrySet()) {
        LocalSandboxProvider provider = c.getValue();
        String warm = null;
        for (int i = 0; i < STARTS_PER_ROUND; i++) {
          long t0 = System.nanoTime();
          String id = create(provider);
          run(provider, id);
          long took = System.nanoTime() - t0;
          if (round >= 0) {
            starts.get(c.getKey()).add(took);
          }
          if (warm == null) {
            warm = id;
          } else {
            provider.terminate(id).await().atMost(Duration.ofMinutes(1));
          }
        }
        for (int i = 0; i < COMMANDS_PER_ROUND; i++) {
          long t0 = System.nanoTime();
          run(provider, warm);
          if (round >= 0) {
            commands.get(c.getKey()).add(System.nanoTime() - t0);
          }
        }
        provider.terminate(warm).await().atMost(Duration.ofMinutes(1));
      }
    }
    boolean cgroupsUsed = configurations.values().stream().anyMatch(p -> p.limitsMemory());
    configurations.values().forEach(LocalSandboxProvider::close);

    String baseline = configurations.keySet().iterator().next();
    StringBuilder table = new StringBuilder();
    table.append(
        "| configuration | start p50 ms | start p95 ms | start ×baseline (p50) "
            + "| command p50 ms | command p95 ms | command ×baseline (p50) |\n");
    table.append("|---|---|---|---|---|---|---|\n");
    for (String name : configurations.keySet()) {
      table.append(
          String.format(
              "| %s | %.1f | %.1f | %.2f | %.2f | %.2f | %.2f |%n",
              name,
              ms(p(starts.get(name), 50)),
              ms(p(starts.get(name), 95)),
              (double) p(starts.get(name), 50) / p(starts.get(baseline), 50),
              ms(p(commands.get(name), 50)),
              ms(p(commands.get(name), 95)),
              (double) p(commands.get(name), 50) / p(commands.get(baseline), 50)));
    }
    table.append(
        String.format(
            "%n%d starts and %d commands per configuration; cgroups in the + rows: %s%n",
            ROUNDS * STARTS_PER_ROUND,
            ROUNDS * COMMANDS_PER_ROUND,
            cgroupsUsed ? "yes" : "no (the host lets the gateway have none)"));
    Path out = Path.of("target", "benchmarks", "local-isolation.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, table);
    System.out.println(table);
    assertThat(starts.get(baseline)).hasSize(ROUNDS * STARTS_PER_ROUND);
  }

  private LocalSandboxProvider provider(String network, boolean cgroups) throws IOException {
    Map<String, String> config = new HashMap<>();
    // The roots are inside this test's own directory, which the sandbox user must pass through.
    Files.setPosixFilePermissions(
        root, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
    config.put("gateway.local.root", Files.createDirectories(root.resolve(network)).toString());
    config.put("gateway.local.isolation", "bubblewrap");
    config.put("gateway.local.network", network);
    config.put("gateway.local.limits.cgroups", Boolean.toString(cgroups));
    return new LocalSandboxProvider(ProviderConfigs.gateway(config));
  }

  private static String create(LocalSandboxProvider provider) {
    return provider
        .create(dev.remoteclaude.gateway.provider.SandboxSpecs.fresh())
        .await()
        .atMost(Duration.ofMinutes(1));
  }

  private static void run(LocalSandboxProvider provider, String id) {
    ExecResult result =
        ExecResult.collect(
                provider
                    .exec(id, ExecRequest.of(List.of("true"), Duration.ofSeconds(30)))
                    .await()
                    .atMost(Duration.ofMinutes(1)))
            .await()
            .atMost(Duration.ofMinutes(1));
    assertThat(result.exitCode()).isZero();
  }

  private static long p(List<Long> values, int percentile) {
    List<Long> sorted = values.stream().sorted().toList();
    return sorted.get(
        Math.min(sorted.size() - 1, (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1));
  }

  private static double ms(long nanos) {
    return nanos / 1_000_000.0;
  }
}
