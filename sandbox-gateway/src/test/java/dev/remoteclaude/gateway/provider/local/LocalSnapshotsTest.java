package dev.remoteclaude.gateway.provider.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.remoteclaude.gateway.provider.ProviderException;
import dev.remoteclaude.gateway.provider.Snapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Local snapshot archives: their size, their limit, and what a failed one leaves behind. */
class LocalSnapshotsTest {

  private static final long LIMIT = 1 << 20;

  @TempDir Path root;

  private Path sandbox() throws IOException {
    Path sandbox = root.resolve("sandbox");
    Files.createDirectories(sandbox.resolve("workspace"));
    Files.createDirectories(sandbox.resolve("home"));
    Files.writeString(sandbox.resolve("workspace/README.md"), "# small\n");
    return sandbox;
  }

  @Test
  void aSnapshotTellsItsSizeOnDisk() throws IOException {
    LocalSnapshots snapshots = new LocalSnapshots(root.resolve("snapshots"), LIMIT);
    Snapshot snapshot = snapshots.take(sandbox());
    Path archive = root.resolve("snapshots").resolve(snapshot.id() + ".tar.gz");
    assertThat(snapshot.sizeBytes()).hasValue(Files.size(archive));
  }

  @Test
  void anArchiveLargerThanTheLimitFailsLeavesNoPartialFileAndKeepsTheEarlierOne()
      throws IOException {
    Path dir = root.resolve("snapshots");
    LocalSnapshots snapshots = new LocalSnapshots(dir, LIMIT);
    Path sandbox = sandbox();
    String earlier = snapshots.take(sandbox).id();
    byte[] random = new byte[4 << 20]; // incompressible: the archive is as large
    new Random(42).nextBytes(random);
    Files.write(sandbox.resolve("workspace/random.bin"), random);

    assertThatThrownBy(() -> snapshots.take(sandbox))
        .isInstanceOfSatisfying(
            ProviderException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ProviderException.Kind.INVALID);
              assertThat(e.getMessage()).contains("larger than the limit of " + LIMIT + " bytes");
            });
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(f -> f.getFileName().toString())).containsExactly(earlier + ".tar.gz");
    }
  }
}
