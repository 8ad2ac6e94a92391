package dev.remoteclaude.cli.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.remoteclaude.cli.CliException;
import dev.remoteclaude.cli.ExitCodes;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectionTest {

  @TempDir Path dir;
  private ConfigFile file;

  @BeforeEach
  void stored() {
    file = new ConfigFile(dir.resolve("config.json"));
    file.write(new StoredConfig("http://file:1", "file-token"));
  }

  @Test
  void flagsWinOverEnvironmentWhichWinsOverTheFile() {
    Map<String, String> env =
        Map.of(Connection.URL_VARIABLE, "http://env:2", Connection.TOKEN_VARIABLE, "env-token");

    Connection flags = Connection.resolve("http://flag:3", "flag-token", env, file);
    Connection environment = Connection.resolve(null, null, env, file);
    Connection stored = Connection.resolve(null, null, Map.of(), file);

    assertThat(flags.baseUrl()).isEqualTo(URI.create("http://flag:3"));
    assertThat(flags.token()).isEqualTo("flag-token");
    assertThat(flags.tokenSource()).isEqualTo("--token");
    assertThat(environment.baseUrl()).isEqualTo(URI.create("http://env:2"));
    assertThat(environment.token()).isEqualTo("env-token");
    assertThat(environment.urlSource()).isEqualTo("RCLAUDE_URL");
    assertThat(stored.baseUrl()).isEqualTo(URI.create("http://file:1"));
    assertThat(stored.token()).isEqualTo("file-token");
    assertThat(stored.tokenSource()).isEqualTo(file.path().toString());
  }

  @Test
  void eachValueIsResolvedOnItsOwn() {
    Connection mixed =
        Connection.resolve(
            null, "flag-token", Map.of(Connection.URL_VARIABLE, "http://env:2"), file);

    assertThat(mixed.baseUrl()).isEqualTo(URI.create("http://env:2"));
    assertThat(mixed.token()).isEqualTo("flag-token");
  }

  @Test
  void blankValuesDoNotCount() {
    Connection c = Connection.resolve(" ", "", Map.of(Connection.TOKEN_VARIABLE, "  "), file);

    assertThat(c.token()).isEqualTo("file-token");
    assertThat(c.baseUrl()).isEqualTo(URI.create("http://file:1"));
  }

  @Test
  void withoutUrlOrTokenYouAreNotLoggedIn() {
    ConfigFile none = new ConfigFile(dir.resolve("none.json"));

    assertThatThrownBy(() -> Connection.resolve(null, "t", Map.of(), none))
        .isInstanceOfSatisfying(
            CliException.class,
            e -> {
              assertThat(e.exitCode()).isEqualTo(ExitCodes.AUTH);
              assertThat(e.getMessage()).startsWith("not logged in").contains("rclaude login");
            });
    assertThatThrownBy(() -> Connection.resolve("http://x", null, Map.of(), none))
        .isInstanceOfSatisfying(
            CliException.class, e -> assertThat(e.getMessage()).contains("no token"));
  }

  @Test
  void urlsAreCheckedAndLoseTheirTrailingSlash() {
    assertThat(Connection.parseUrl("https://rc.example.com/"))
        .isEqualTo(URI.create("https://rc.example.com"));
    assertThatThrownBy(() -> Connection.parseUrl("localhost:8080"))
        .isInstanceOfSatisfying(
            CliException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCodes.USAGE));
    assertThatThrownBy(() -> Connection.parseUrl("ftp://x")).isInstanceOf(CliException.class);
  }
}
