package dev.remoteclaude.infra;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * A real Apache Kafka broker in KRaft mode (combined broker and controller, one node), run as a
 * separate JVM from the jars Maven resolved from Maven Central (module {@code rc-kafka-broker}).
 */
public final class LocalKafka implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(LocalKafka.class);
  private static final String CLASSPATH_RESOURCE = "/dev/remoteclaude/infra/kafka-broker.classpath";
  private static final String STARTED = "Kafka Server started";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
  private static final int PORT_ATTEMPTS = 3;
  private static final int LOG_TAIL = 15;
  private static final String ADDRESS_IN_USE = "Address already in use";

  /** How a broker is set up. */
  public record Options(Path directory, int port, int partitions, boolean ephemeral) {
    public static Options ephemeral(int partitions) {
      try {
        return new Options(Files.createTempDirectory("rc-kafka-"), Ports.free(), partitions, true);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create a temporary directory for Kafka", e);
      }
    }
  }

  private final Options options;
  private final Path logFile;
  private final int controllerPort = Ports.free();
  private Process process;

  private LocalKafka(Options options) {
    this.options = options;
    this.logFile = options.directory().resolve("broker.log");
  }

  /**
   * Starts a broker; a throw-away one whose port was taken meanwhile by another process (chosen
   * free, bound a moment later) moves to other ports.
   */
  public static LocalKafka start(Options options) {
    for (int attempt = 1; ; attempt++) {
      LocalKafka kafka = new LocalKafka(options);
      try {
        kafka.launch();
        return kafka;
      } catch (InfraException e) {
        if (!options.ephemeral() || attempt == PORT_ATTEMPTS || !portTaken(e)) {
          throw e;
        }
        LOG.warnf("Kafka's port was taken meanwhile; moving to other ports");
        options = new Options(options.directory(), Ports.free(), options.partitions(), true);
      }
    }
  }

  private static boolean portTaken(InfraException e) {
    return e.getMessage() != null && e.getMessage().contains(ADDRESS_IN_USE);
  }

  public String bootstrapServers() {
    return "127.0.0.1:" + options.port();
  }

  public Path logFile() {
    return logFile;
  }

  /** The broker's process id, or -1 when it is not running. */
  public synchronized long pid() {
    return process == null ? -1 : process.pid();
  }

  private void launch() {
    String classpath = brokerClasspath();
    try {
      Files.createDirectories(options.directory());
      Path logDirs = options.directory().resolve("data");
      Path config = options.directory().resolve("server.properties");
      Files.writeString(
          config,
          String.join(
              "\n",
              "process.roles=broker,controller",
              "node.id=1",
              "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
              "listeners=PLAINTEXT://127.0.0.1:"
                  + options.port()
                  + ",CONTROLLER://127.0.0.1:"
                  + controllerPort,
              "advertised.listeners=PLAINTEXT://127.0.0.1:" + options.port(),
              "controller.listener.names=CONTROLLER",
              "inter.broker.listener.name=PLAINTEXT",
              "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
              "log.dirs=" + logDirs,
              "num.partitions=" + options.partitions(),
              "auto.create.topics.enable=true",
              "offsets.topic.replication.factor=1",
              "offsets.topic.num.partitions=" + Math.max(3, options.partitions()),
              "transaction.state.log.replication.factor=1",
              "transaction.state.log.min.isr=1",
              "share.coordinator.state.topic.replication.factor=1",
              "share.coordinator.state.topic.min.isr=1",
              "group.initial.rebalance.delay.ms=0",
              "log.flush.interval.messages=" + (options.ephemeral() ? "9223372036854775807" : "1"),
              ""));
      Path log4j = options.directory().resolve("log4j2.properties");
      Files.writeString(
          log4j,
          String.join(
              "\n",
              "status = warn",
              "appender.out.type = Console",
              "appender.out.name = OUT",
              "appender.out.layout.type = PatternLayout",
              "appender.out.layout.pattern = [%d] %p %m (%c)%n",
              "rootLogger.level = INFO",
              "rootLogger.appenderRef.out.ref = OUT",
              "logger.state.name = state.change.logger",
              "logger.state.level = WARN",
              ""));
      if (!Files.exists(logDirs.resolve("meta.properties"))) {
        ProcessRunner.runOrFail(
            "Kafka storage format",
            javaCommand(
                classpath,
                log4j,
                "kafka.tools.StorageTool",
                "format",
                "--cluster-id=" + clusterId(),
                "-c",
                config.toString()),
            Map.of(),
            Duration.ofSeconds(60));
      }
      List<String> cmd = javaCommand(classpath, log4j, "kafka.Kafka", config.toString());
      process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      process.getOutputStream().close();
      CompletableFuture<Void> started = new CompletableFuture<>();
      Thread pump = new Thread(() -> pump(process.getInputStream(), started), "kafka-broker-log");
      pump.setDaemon(true);
      pump.start();
      Process launched = process;
      launched
          .onExit()
          .thenRun(
              () -> {
                try {
                  pump.join(Duration.ofSeconds(5)); // the log is complete once the pump is done
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
                started.completeExceptionally(
                    new InfraException(
                        "Kafka broker exited with "
                            + launched.exitValue()
                            + (Files2.contains(logFile, ADDRESS_IN_USE)
                                ? " (" + ADDRESS_IN_USE + ")"
                                : "")
                            + "; the end of its log ("
                            + logFile
                            + "):\n"
                            + Files2.tail(logFile, LOG_TAIL)));
              });
      started.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      LOG.infof("Kafka broker is up on %s (%s)", bootstrapServers(), options.directory());
    } catch (IOException e) {
      close();
      throw new UncheckedIOException("could not start the Kafka broker", e);
    } catch (ExecutionException e) {
      close();
      throw new InfraException(e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      close();
      throw new InfraException(
          "Kafka broker did not start within " + START_TIMEOUT + "; see " + logFile);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new InfraException("interrupted while starting Kafka");
    }
  }

  private void pump(InputStream in, CompletableFuture<Void> started) {
    try (BufferedReader reader =
            new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        Writer out =
            Files.newBufferedWriter(
                logFile, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
      String line;
      while ((line = reader.readLine()) != null) {
        out.write(line);
        out.write('\n');
        if (!started.isDone() && line.contains(STARTED)) {
          out.flush();
          started.complete(null);
        }
      }
    } catch (IOException e) {
      started.completeExceptionally(e);
    }
  }

  private List<String> javaCommand(String classpath, Path log4j, String main, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xms128m");
    cmd.add("-Xmx768m");
    cmd.add("-XX:+UseG1GC");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-Djava.awt.headless=true");
    cmd.add("-Dlog4j2.configurationFile=" + log4j);
    cmd.add("-cp");
    cmd.add(classpath);
    cmd.add(main);
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** The broker's jars, as Maven resolved them when rc-kafka-broker was built. */
  static String brokerClasspath() {
    try (InputStream in = LocalKafka.class.getResourceAsStream(CLASSPATH_RESOURCE)) {
      if (in == null) {
        throw new InfraException(
            "Kafka broker classpath resource missing; build the project (./mvnw install -DskipTests)");
      }
      String cp = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
      for (String entry : cp.split(java.io.File.pathSeparator)) {
        if (!Files.exists(Path.of(entry))) {
          throw new InfraException(
              "Kafka broker jar "
                  + entry
                  + " is gone from the local Maven repository;"
                  + " rebuild (./mvnw install -DskipTests) to fetch it from Maven Central");
        }
      }
      return cp;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A KRaft cluster id: 16 random bytes, URL-safe base64 without padding (Kafka's Uuid form). Like
   * Kafka's own {@code Uuid.randomUuid()}, never one that starts with '-', which a command line
   * would take for an option (one id in 64 did, and failed the storage format).
   */
  static String clusterId() {
    SecureRandom random = new SecureRandom();
    byte[] bytes = new byte[16];
    String id;
    do {
      random.nextBytes(bytes);
      id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    } while (id.startsWith("-"));
    return id;
  }

  /** Stops the broker and keeps its data: {@link #restart()} brings the same broker back. */
  public synchronized void stop() {
    stopProcess();
  }

  /** Starts the broker again on the same port, with the same data, after {@link #stop()}. */
  public synchronized void restart() {
    if (process == null) {
      launch();
    }
  }

  @Override
  public synchronized void close() {
    stopProcess();
    if (options.ephemeral()) {
      Files2.deleteRecursively(options.directory());
    }
  }

  private void stopProcess() {
    if (process == null) {
      return;
    }
    Process p = process;
    process = null;
    p.destroy();
    try {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
    }
  }
}
