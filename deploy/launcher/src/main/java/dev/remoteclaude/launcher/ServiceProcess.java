package dev.remoteclaude.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** One Quarkus service, run from its packaged application, with its log in a file. */
public final class ServiceProcess implements AutoCloseable {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final String name;
  private final int port;
  private final int managementPort;
  private final Process process;
  private final Path log;
  private final Duration stopWait;
  private final Runnable afterExit;

  private ServiceProcess(
      String name,
      int port,
      int managementPort,
      Process process,
      Path log,
      Duration stopWait,
      Runnable afterExit) {
    this.name = name;
    this.port = port;
    this.managementPort = managementPort;
    this.process = process;
    this.log = log;
    this.stopWait = stopWait;
    this.afterExit = afterExit;
    // However it ends (stopped, killed, crashed); close() also runs it, before it returns.
    process.onExit().thenRun(afterExit);
  }

  /**
   * Starts {@code java -jar <app>}; configuration goes in the environment (secrets stay off argv).
   * The service answers on {@code port}; its metrics are on {@code managementPort} (Quarkus'
   * management interface), which the edge never routes to. A graceful stop waits {@code stopWait}
   * before it kills the process; {@code afterExit} runs once the process has ended.
   */
  public static ServiceProcess start(
      String name,
      Path app,
      int port,
      int managementPort,
      Path workDir,
      List<String> jvmOptions,
      Path log,
      Duration stopWait,
      Runnable afterExit) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-jar");
    command.add(app.toString());
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("QUARKUS_HTTP_PORT", String.valueOf(port));
    builder.environment().put("QUARKUS_MANAGEMENT_PORT", String.valueOf(managementPort));
    builder.redirectErrorStream(true);
    builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.directory(workDir.toFile());
    try {
      return new ServiceProcess(
          name, port, managementPort, builder.start(), log, stopWait, afterExit);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name, e);
    }
  }

  public String name() {
    return name;
  }

  public int port() {
    return port;
  }

  /** Where its metrics are: {@code http://127.0.0.1:<managementPort>/q/metrics}. */
  public int managementPort() {
    return managementPort;
  }

  public long pid() {
    return process.pid();
  }

  public Path log() {
    return log;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Its exit code, once it has exited. */
  public java.util.Optional<Integer> exitCode() {
    return process.isAlive()
        ? java.util.Optional.empty()
        : java.util.Optional.of(process.exitValue());
  }

  /** Whether /q/health/ready answers UP. */
  public boolean ready() {
    try {
      HttpResponse<String> response =
          HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Kills the process at once (SIGKILL), as a crash would. */
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    afterExit.run();
  }

  /** Graceful stop (SIGTERM), then a forced one. */
  @Override
  public void close() {
    if (!process.isAlive()) {
      afterExit.run();
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(stopWait.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    afterExit.run();
  }
}
