package dev.remoteclaude.gateway.support;

import dev.remoteclaude.infra.anthropic.AnthropicStub;
import dev.remoteclaude.infra.anthropic.Script;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What the gateway's tests add to the shared infrastructure: the scripted Anthropic Messages API
 * stub that the real Claude Code CLI talks to, a sandbox root of their own, and short limits.
 */
public class GatewayTestResource implements QuarkusTestResourceLifecycleManager {

  private static AnthropicStub stub;
  private static Path sandboxRoot;

  public static synchronized AnthropicStub stub() {
    if (stub == null) {
      stub = AnthropicStub.start(0, new Script(List.of(), c -> Script.demo().fallback().apply(c)));
      Runtime.getRuntime().addShutdownHook(new Thread(stub::close));
    }
    return stub;
  }

  /** The platform's key for the model API in these tests: only the model proxy may send it. */
  public static final String API_KEY = "sk-ant-test-not-a-real-key";

  private static int modelProxyPort;

  /** The model proxy's port, one for the whole test run. */
  public static synchronized int modelProxyPort() {
    if (modelProxyPort == 0) {
      modelProxyPort = dev.remoteclaude.infra.Ports.free();
    }
    return modelProxyPort;
  }

  public static synchronized Path sandboxRoot() {
    if (sandboxRoot == null) {
      try {
        sandboxRoot = Files.createTempDirectory("rc-gw-sandboxes-");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return sandboxRoot;
  }

  @Override
  public Map<String, String> start() {
    return Map.ofEntries(
        Map.entry("gateway.claude.base-url", stub().baseUrl()),
        Map.entry("gateway.claude.api-key", API_KEY),
        Map.entry("gateway.model-proxy.port", String.valueOf(modelProxyPort())),
        Map.entry("gateway.claude.env.CLAUDE_CODE_MAX_RETRIES", "0"),
        Map.entry("gateway.local.root", sandboxRoot().toString()),
        // The tests' git servers listen on the host's loopback, which a sandbox's own network
        // cannot reach: these sandboxes share the host's network. Network isolation is tested by
        // LocalIsolationTest and, with Claude Code, by ClaudeInPrivateNetworkTest.
        Map.entry("gateway.local.network", "host"),
        // Some tests lose a sandbox by deleting its directory, which a mounted disk would keep;
        // sandboxes' own disks are tested by LocalIsolationTest.
        Map.entry("gateway.local.limits.disk", "0"),
        Map.entry("gateway.lease", "3s"),
        Map.entry("gateway.heartbeat", "1s"),
        Map.entry("gateway.recovery-interval", "1s"),
        Map.entry("gateway.exec.max-output-bytes", "65536"),
        Map.entry("gateway.exec.activity-window", "2s"),
        Map.entry("gateway.stream.subscriber-buffer-bytes", "1M"),
        // SessionStreamTest has 60 clients of one user follow a session
        Map.entry("gateway.stream.max-streams-per-user", "60"),
        // longer than the 5 s a stream request used to wait for a session created a moment ago
        Map.entry("gateway.stream.attach-wait", "12s"),
        Map.entry("gateway.stream.max-waiting-per-user", "4"),
        Map.entry("gateway.log.max-pending-bytes", "2M"),
        Map.entry("gateway.uploads.max-concurrent", "2"),
        Map.entry("gateway.stream.heartbeat", "2s"),
        Map.entry("gateway.files.max-bytes", "1048576"),
        Map.entry("gateway.provisioning.clone-timeout", "8s"),
        // small enough for a test to exceed with a few MiB of random data
        Map.entry("gateway.snapshots.max-bytes", String.valueOf(8 << 20)),
        Map.entry("gateway.snapshots.delete-retry-delay", "1s"),
        // DependencyCacheTest fills a repository's share with ~100 KiB archives; restores are
        // sent in several pieces
        Map.entry("gateway.cache.max-bytes-per-repository", "256K"),
        Map.entry("gateway.cache.chunk-bytes", "64K"),
        Map.entry("gateway.provider-calls.retries", "1"),
        Map.entry("gateway.provider-calls.retry-delay", "10ms"),
        Map.entry("gateway.provider-calls.breaker-volume", "4"),
        Map.entry("gateway.provider-calls.breaker-delay", "60s"));
  }

  @Override
  public void stop() {}
}
