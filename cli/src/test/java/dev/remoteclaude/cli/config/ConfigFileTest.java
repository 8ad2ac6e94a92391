package dev.remoteclaude.cli.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.remoteclaude.cli.CliException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileTest {

  @TempDir Path home;

  @Test
  void isWrittenReadableByTheOwnerOnlyInAnOwnerOnlyDirectory() throws IOException {
    ConfigFile file = ConfigFile.locate(null, Map.of("HOME", home.toString()));

    file.write(new StoredConfig("http://localhost:8080", "secret"));

    assertThat(file.path()).isEqualTo(home.resolve(".config/rclaude/config.json"));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.path())))
        .isEqualTo("rw-------");
    assertThat(
            PosixFilePermissions.toString(Files.getPosixFilePermissions(file.path().getParent())))
        .isEqualTo("rwx------");
    assertThat(file.read()).isEqualTo(new StoredConfig("http://localhost:8080", "secret"));
    assertThat(file.tooOpen()).isFalse();
  }

  @Test
  void replacingAnOpenFileLeavesItOwnerOnly() throws IOException {
    Path path = home.resolve("config.json");
    Files.writeString(path, "{\"url\":\"http://old\"}");
    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-r--r--"));
    ConfigFile file = new ConfigFile(path);
    assertThat(file.tooOpen()).isTrue();

    file.write(new StoredConfig("http://new", "t"));

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path)))
        .isEqualTo("rw-------");
    assertThat(file.read().url()).isEqualTo("http://new");
    try (var leftovers = Files.list(home)) {
      assertThat(leftovers).containsExactly(path);
    }
  }

  @Test
  void theTokenIsNeverInToString() {
    assertThat(new StoredConfig("http://x", "secret").toString()).doesNotContain("secret");
  }

  @Test
  void isFoundThroughRclaudeConfigThenXdgThenHome() {
    assertThat(
            ConfigFile.locate(home.resolve("flag.json"), Map.of("RCLAUDE_CONFIG", "/a/b.json"))
                .path())
        .isEqualTo(home.resolve("flag.json"));
    assertThat(
            ConfigFile.locate(null, Map.of("RCLAUDE_CONFIG", "/a/b.json", "XDG_CONFIG_HOME", "/x"))
                .path())
        .isEqualTo(Path.of("/a/b.json"));
    assertThat(ConfigFile.locate(null, Map.of("XDG_CONFIG_HOME", "/x", "HOME", "/h")).path())
        .isEqualTo(Path.of("/x/rclaude/config.json"));
  }

  @Test
  void aMissingFileIsEmptyAndABrokenOneSaysSo() throws IOException {
    assertThat(new ConfigFile(home.resolve("none.json")).read()).isEqualTo(StoredConfig.empty());

    Path broken = home.resolve("broken.json");
    Files.writeString(broken, "{url:");
    assertThatThrownBy(() -> new ConfigFile(broken).read())
        .isInstanceOf(CliException.class)
        .hasMessageContaining("not valid JSON");
  }

  @Test
  void forgettingTheTokenKeepsTheUrl() {
    ConfigFile file = new ConfigFile(home.resolve("c.json"));
    file.write(new StoredConfig("http://x", "t"));

    assertThat(file.forgetToken()).isTrue();
    assertThat(file.read()).isEqualTo(new StoredConfig("http://x", null));
    assertThat(file.forgetToken()).isFalse();
  }
}
