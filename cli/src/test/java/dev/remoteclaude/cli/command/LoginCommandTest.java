package dev.remoteclaude.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.remoteclaude.cli.ExitCodes;
import dev.remoteclaude.cli.Json;
import dev.remoteclaude.cli.support.CliRun;
import dev.remoteclaude.cli.support.FakePlatform;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoginCommandTest {

  private static final FakePlatform PLATFORM = new FakePlatform();

  @TempDir Path dir;

  @AfterAll
  static void stop() {
    PLATFORM.close();
  }

  private Path config() {
    return dir.resolve("rclaude/config.json");
  }

  @Test
  void checksTheTokenThenStoresItReadableByTheOwnerOnly() throws IOException {
    CliRun cli = new CliRun(dir);

    int code = cli.run("login", "--url", PLATFORM.url() + "/", "--token", FakePlatform.TOKEN);

    assertThat(code).isZero();
    assertThat(cli.out())
        .startsWith("Logged in to " + PLATFORM.url())
        .contains(config().toString());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config())))
        .isEqualTo("rw-------");
    var stored = Json.mapper().readTree(config().toFile());
    assertThat(stored.path("url").asText()).isEqualTo(PLATFORM.url());
    assertThat(stored.path("token").asText()).isEqualTo(FakePlatform.TOKEN);
    assertThat(PLATFORM.requests()).contains("GET /api/v1/sessions?size=1");

    CliRun next = new CliRun(dir);
    assertThat(next.run("session", "list")).isZero();
  }

  @Test
  void aRefusedTokenIsNotStored() {
    CliRun cli = new CliRun(dir);

    int code = cli.run("login", "--url", PLATFORM.url(), "--token", "wrong");

    assertThat(code).isEqualTo(ExitCodes.AUTH);
    assertThat(cli.err().lines())
        .containsExactly(
            "error: a valid bearer token is required (401 Unauthorized); log in again with"
                + " `rclaude login`");
    assertThat(config()).doesNotExist();
  }

  @Test
  void readsTheTokenFromStdin() {
    CliRun cli = new CliRun(dir).stdin(FakePlatform.TOKEN + "\n");

    assertThat(cli.run("login", "--url", PLATFORM.url(), "--token-stdin")).isZero();
    assertThat(new CliRun(dir).run("session", "list")).isZero();
  }

  @Test
  void namesTheUserOfAJwtAndStoresWithoutCheckingWhenAsked() {
    String claims =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(
                "{\"sub\":\"alice\",\"exp\":4102444800}".getBytes(StandardCharsets.UTF_8));
    CliRun cli = new CliRun(dir);

    int code =
        cli.run(
            "login",
            "--url",
            "http://nowhere.invalid",
            "--token",
            "h." + claims + ".s",
            "--no-verify");

    assertThat(code).isZero();
    assertThat(cli.out())
        .startsWith("Saved login for http://nowhere.invalid as alice (token expires in");
  }

  @Test
  void anExpiredJwtIsRefusedAtOnce() {
    String claims =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString("{\"sub\":\"bob\",\"exp\":1000}".getBytes(StandardCharsets.UTF_8));
    CliRun cli = new CliRun(dir);

    assertThat(cli.run("login", "--url", PLATFORM.url(), "--token", "h." + claims + ".s"))
        .isEqualTo(ExitCodes.AUTH);
    assertThat(cli.err()).startsWith("error: the token expired");
  }

  @Test
  void flagBeatsEnvironmentWhichBeatsTheFile() {
    new CliRun(dir).run("login", "--url", PLATFORM.url(), "--token", "stale", "--no-verify");

    CliRun fromFile = new CliRun(dir);
    CliRun fromEnv = new CliRun(dir).env("RCLAUDE_TOKEN", FakePlatform.TOKEN);
    CliRun fromFlag = new CliRun(dir).env("RCLAUDE_TOKEN", FakePlatform.TOKEN);

    assertThat(fromFile.run("session", "list")).isEqualTo(ExitCodes.AUTH);
    assertThat(fromEnv.run("session", "list")).isZero();
    assertThat(fromFlag.run("session", "list", "--token", "also-wrong")).isEqualTo(ExitCodes.AUTH);
  }

  @Test
  void withoutLoginCommandsSayHowToLogIn() {
    CliRun cli = new CliRun(dir);

    assertThat(cli.run("session", "list")).isEqualTo(ExitCodes.AUTH);
    assertThat(cli.err()).startsWith("error: not logged in").contains("rclaude login");
  }

  @Test
  void aConfigFileOthersCanReadIsWarnedAbout() throws IOException {
    new CliRun(dir).run("login", "--url", PLATFORM.url(), "--token", FakePlatform.TOKEN);
    Files.setPosixFilePermissions(config(), PosixFilePermissions.fromString("rw-r--r--"));
    CliRun cli = new CliRun(dir);

    assertThat(cli.run("session", "list")).isZero();
    assertThat(cli.err()).contains("can be read by other users").contains("chmod 600");
  }

  @Test
  void logoutForgetsTheToken() {
    new CliRun(dir).run("login", "--url", PLATFORM.url(), "--token", FakePlatform.TOKEN);

    CliRun cli = new CliRun(dir);
    assertThat(cli.run("logout")).isZero();
    assertThat(new CliRun(dir).run("session", "list")).isEqualTo(ExitCodes.AUTH);
  }
}
