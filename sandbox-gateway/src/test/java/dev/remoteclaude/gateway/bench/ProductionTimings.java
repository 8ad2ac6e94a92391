package dev.remoteclaude.gateway.bench;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/**
 * The benchmarks measure the gateway with its production timings (the defaults of {@code
 * GatewayConfig}), not the accelerated clocks of the test suite: there, every subscriber gets a
 * heartbeat every 2 s instead of 15 s, which with 1,000 subscribers is a burst of 1,000 extra
 * messages every 2 s, and the instance heartbeat and recovery run every second.
 */
public class ProductionTimings implements QuarkusTestProfile {

  static final String STREAM_HEARTBEAT = "15s";

  @Override
  public Map<String, String> getConfigOverrides() {
    return Map.of(
        "gateway.stream.heartbeat", STREAM_HEARTBEAT,
        "gateway.stream.subscriber-buffer-bytes", "4M",
        // the benchmark's thousand clients are one user's
        "gateway.stream.max-streams-per-user", "100000",
        "gateway.heartbeat", "5s",
        "gateway.lease", "30s",
        "gateway.recovery-interval", "5s",
        "gateway.exec.activity-window", "1s");
  }
}
