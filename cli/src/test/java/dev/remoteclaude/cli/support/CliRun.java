package dev.remoteclaude.cli.support;

import dev.remoteclaude.cli.Interruption;
import dev.remoteclaude.cli.Rclaude;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Runs {@code rclaude} in-process, as the system tests do, and keeps what it printed. */
public final class CliRun {

  private static final ExecutorService BACKGROUND =
      Executors.newCachedThreadPool(Thread.ofPlatform().daemon(true).factory());

  private final Map<String, String> env = new HashMap<>();
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final Interruption interruption = new Interruption();
  private byte[] stdin = new byte[0];

  /** A run with its config file in {@code dir} and no URL or token unless given. */
  public CliRun(Path dir) {
    env.put("HOME", dir.toString());
    env.put("RCLAUDE_CONFIG", dir.resolve("rclaude/config.json").toString());
  }

  /** A run logged in to the fake through the environment. */
  public static CliRun against(FakePlatform platform, Path dir) {
    return new CliRun(dir)
        .env("RCLAUDE_URL", platform.url())
        .env("RCLAUDE_TOKEN", FakePlatform.TOKEN);
  }

  public CliRun env(String name, String value) {
    env.put(name, value);
    return this;
  }

  public CliRun stdin(String text) {
    stdin = text.getBytes(StandardCharsets.UTF_8);
    return this;
  }

  public int run(String... args) {
    return Rclaude.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8),
        new ByteArrayInputStream(stdin),
        env,
        interruption);
  }

  /** Runs in the background (for streams the test feeds while the CLI follows them). */
  public CompletableFuture<Integer> start(String... args) {
    return CompletableFuture.supplyAsync(() -> run(args), BACKGROUND);
  }

  /** Presses Ctrl-C. */
  public boolean interrupt() {
    return interruption.interrupt();
  }

  public String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  public byte[] outBytes() {
    return out.toByteArray();
  }

  public String err() {
    return err.toString(StandardCharsets.UTF_8);
  }
}
