package dev.remoteclaude.gateway.claude;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.remoteclaude.common.events.TaskCompleted;
import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.gateway.support.GatewayTestResource;
import dev.remoteclaude.gateway.support.Sessions;
import dev.remoteclaude.infra.anthropic.Turn;
import dev.remoteclaude.testing.KafkaProbe;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Claude Code in a sandbox with its own network namespace, as sandboxes run by default: the model
 * endpoint on the host's loopback is the one port pasta lets through, and a task completes.
 */
@QuarkusTest
@TestProfile(ClaudeInPrivateNetworkTest.PrivateNetwork.class)
class ClaudeInPrivateNetworkTest {

  public static class PrivateNetwork implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("gateway.local.network", "auto");
    }
  }

  @Test
  void aTaskCompletesWithTheModelReachedThroughTheSandboxsOwnNetwork() {
    assumeThat(Files.isExecutable(Path.of("/usr/bin/bwrap"))).as("bubblewrap").isTrue();
    assumeThat(Files.isExecutable(Path.of("/usr/bin/pasta"))).as("pasta").isTrue();
    Sessions.Ready session = Sessions.provision();
    String marker = "private-net-" + UUID.randomUUID();
    GatewayTestResource.stub().when(marker, Turn.text("Reached you from my own network."));
    UUID task = UUID.randomUUID();
    try (KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      Sessions.send(session.sessionId(), session.userId(), Sessions.task(task, "hello " + marker));
      TaskCompleted completed =
          Sessions.payload(
              Sessions.awaitTask(gateway, task, "task.completed"), TaskCompleted.class);
      assertThat(completed.result()).isEqualTo("Reached you from my own network.");
    }
  }
}
