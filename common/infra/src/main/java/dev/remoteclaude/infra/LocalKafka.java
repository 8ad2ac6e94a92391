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
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * A real Apache Kafka broker in KRaft mode (combined broker and controller, one node), run as a
 * separate JVM from the jars Maven resolved from Maven Central (module {@code rc-kafka-broker}).
 *
 * <p>Both of its listeners are on 127.0.0.1 and both demand a password, so that no other local
 * process (code in a sandbox on the same host included) can read or forge events. Clients, and the
 * broker itself, authenticate on the broker listener with SASL/SCRAM-SHA-512; the credential is
 * written into the cluster's metadata when the storage is formatted ({@code --add-scram}). The
 * controller listener takes SASL/PLAIN with the same user and password, checked against the
 * broker's own configuration: KRaft cannot check SCRAM there, since the SCRAM credentials live in
 * the metadata the controller serves. The password is only ever in files of mode 0600 (the broker's
 * {@code server.properties}, and argument files the Kafka tools read and that are deleted after
 * use), never on a command line, which every local user can read in {@code /proc/<pid>/cmdline}.
 */
public final class LocalKafka implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(LocalKafka.class);
  private static final String CLASSPATH_RESOURCE = "/dev/remoteclaude/infra/kafka-broker.classpath";
  private static final String STARTED = "Kafka Server started";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
  private static final int PORT_ATTEMPTS = 3;
  private static final int LOG_TAIL = 15;
  private static final String ADDRESS_IN_USE = "Address already in use";
  private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(60);

  /** The SASL mechanism clients use. */
  public static final String MECHANISM = "SCRAM-SHA-512";

  private static final String CONTROLLER_MECHANISM = "PLAIN";
  private static final String SCRAM_LOGIN =
      "org.apache.kafka.common.security.scram.ScramLoginModule";
  private static final String PLAIN_LOGIN =
      "org.apache.kafka.common.security.plain.PlainLoginModule";
  private static final Pattern USER = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,63}");
  private static final Pattern PASSWORD = Pattern.compile("[A-Za-z0-9._~-]{16,256}");
  private static final String CREDENTIALS_MARK = "credentials.sha256";

  /**
   * How a broker is set up: where its data lives, its client port, the default number of partitions
   * of a topic, and the one user (with its password) that clients and the broker itself
   * authenticate as. The user is a simple name and the password 16 or more of {@code A-Z a-z 0-9 .
   * _ ~ -}: both go into a properties file, JAAS settings and the Kafka tools' SCRAM syntax, each
   * with quoting rules of its own, none of which these characters need.
   */
  public record Options(
      Path directory, int port, int partitions, String user, String password, boolean ephemeral) {

    public Options {
      if (user == null || !USER.matcher(user).matches()) {
        throw new IllegalArgumentException(
            "Kafka user must be a letter followed by up to 63 letters, digits or '_'");
      }
      if (password == null || !PASSWORD.matcher(password).matches()) {
        throw new IllegalArgumentException(
            "Kafka password must be 16 to 256 of the characters A-Z a-z 0-9 . _ ~ -");
      }
    }

    /** A throw-away broker for tests: temporary directory, user "rc" with a random password. */
    public static Options ephemeral(int partitions) {
      try {
        return new Options(
            Files.createTempDirectory("rc-kafka-"),
            Ports.free(),
            partitions,
            "rc",
            randomPassword(),
            true);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create a temporary directory for Kafka", e);
      }
    }

    Options onPort(int other) {
      return new Options(directory, other, partitions, user, password, ephemeral);
    }

    /** Never shows the password. */
    @Override
    public String toString() {
      return "Options[directory=%s, port=%d, partitions=%d, user=%s, password=<hidden>, ephemeral=%s]"
          .formatted(directory, port, partitions, user, ephemeral);
    }
  }

  /** A password that {@link Options} takes: 24 random bytes, URL-safe base64 (32 characters). */
  public static String randomPassword() {
    byte[] bytes = new byte[24];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private final Options options;
  private final Path logFile;
  private final int controllerPort;
  private Process process;

  private LocalKafka(Options options) {
    this.options = options;
    // Two draws of a free port can give the same one; the broker then refuses both listeners.
    int controller;
    do {
      controller = Ports.free();
    } while (controller == options.port());
    this.controllerPort = controller;
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
        options = options.onPort(Ports.free());
      }
    }
  }

  private static boolean portTaken(InfraException e) {
    return e.getMessage() != null && e.getMessage().contains(ADDRESS_IN_USE);
  }

  public String bootstrapServers() {
    return "127.0.0.1:" + options.port();
  }

  /**
   * What a Kafka client needs to reach this broker: {@code bootstrap.servers} and the SASL settings
   * (as Kafka client properties; a Quarkus service takes each with the prefix {@code kafka.}).
   * Holds the password: for configuration files of mode 0600 and in-memory configuration only.
   */
  public Map<String, String> clientProperties() {
    return clientProperties(bootstrapServers(), options.user(), options.password());
  }

  /** The client properties for a broker that takes SCRAM-SHA-512 over SASL_PLAINTEXT. */
  public static Map<String, String> clientProperties(
      String bootstrapServers, String user, String password) {
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put("bootstrap.servers", bootstrapServers);
    properties.put("security.protocol", "SASL_PLAINTEXT");
    properties.put("sasl.mechanism", MECHANISM);
    properties.put("sasl.jaas.config", jaas(SCRAM_LOGIN, user, password, ""));
    return Collections.unmodifiableMap(properties);
  }

  public String user() {
    return options.user();
  }

  int controllerPort() {
    return controllerPort;
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
    Path config = options.directory().resolve("server.properties");
    try {
      Files.createDirectories(options.directory());
      Path logDirs = options.directory().resolve("data");
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
        Files2.writePrivate(config, serverProperties(logDirs, false));
        runTool(
            "Kafka storage format",
            classpath,
            log4j,
            List.of(
                "kafka.tools.StorageTool",
                "format",
                "--cluster-id=" + clusterId(),
                "-c",
                config.toString(),
                "--add-scram",
                MECHANISM + "=[name=" + options.user() + ",password=" + options.password() + "]"));
        markCredentials();
      } else if (!credentialsMarked()) {
        setCredentials(classpath, log4j, config, logDirs);
      }
      Files2.writePrivate(config, serverProperties(logDirs, false));
      runBroker(classpath, log4j, config);
      LOG.infof(
          "Kafka broker is up on %s, SASL %s as user %s (%s)",
          bootstrapServers(), MECHANISM, options.user(), options.directory());
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
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /**
   * The broker's configuration. {@code acceptPlain} also accepts SASL/PLAIN on the broker listener
   * (and the broker talks to itself with it): only while {@link #setCredentials} runs.
   */
  private String serverProperties(Path logDirs, boolean acceptPlain) {
    String plain =
        jaas(
            PLAIN_LOGIN,
            options.user(),
            options.password(),
            " user_" + options.user() + "=\"" + options.password() + "\"");
    List<String> lines = new ArrayList<>();
    lines.add("process.roles=broker,controller");
    lines.add("node.id=1");
    lines.add("controller.quorum.voters=1@127.0.0.1:" + controllerPort);
    lines.add(
        "listeners=BROKER://127.0.0.1:"
            + options.port()
            + ",CONTROLLER://127.0.0.1:"
            + controllerPort);
    lines.add("advertised.listeners=BROKER://127.0.0.1:" + options.port());
    lines.add("controller.listener.names=CONTROLLER");
    lines.add("inter.broker.listener.name=BROKER");
    lines.add("listener.security.protocol.map=BROKER:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT");
    lines.add(
        "listener.name.broker.sasl.enabled.mechanisms="
            + MECHANISM
            + (acceptPlain ? "," + CONTROLLER_MECHANISM : ""));
    lines.add(
        "sasl.mechanism.inter.broker.protocol=" + (acceptPlain ? CONTROLLER_MECHANISM : MECHANISM));
    lines.add(
        "listener.name.broker.scram-sha-512.sasl.jaas.config="
            + jaas(SCRAM_LOGIN, options.user(), options.password(), ""));
    if (acceptPlain) {
      lines.add("listener.name.broker.plain.sasl.jaas.config=" + plain);
    }
    lines.add("listener.name.controller.sasl.enabled.mechanisms=" + CONTROLLER_MECHANISM);
    lines.add("sasl.mechanism.controller.protocol=" + CONTROLLER_MECHANISM);
    lines.add("listener.name.controller.plain.sasl.jaas.config=" + plain);
    lines.add("log.dirs=" + logDirs);
    lines.add("num.partitions=" + options.partitions());
    lines.add("auto.create.topics.enable=true");
    lines.add("offsets.topic.replication.factor=1");
    lines.add("offsets.topic.num.partitions=" + Math.max(3, options.partitions()));
    lines.add("transaction.state.log.replication.factor=1");
    lines.add("transaction.state.log.min.isr=1");
    lines.add("share.coordinator.state.topic.replication.factor=1");
    lines.add("share.coordinator.state.topic.min.isr=1");
    lines.add("group.initial.rebalance.delay.ms=0");
    lines.add("log.flush.interval.messages=" + (options.ephemeral() ? "9223372036854775807" : "1"));
    return String.join("\n", lines) + "\n";
  }

  /** A JAAS configuration line; {@code extra} (options after the password) is used unquoted. */
  private static String jaas(String module, String user, String password, String extra) {
    return module
        + " required username=\""
        + jaasQuoted(user)
        + "\" password=\""
        + jaasQuoted(password)
        + "\""
        + extra
        + ";";
  }

  private static String jaasQuoted(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  /**
   * The data was formatted without this user's SCRAM credential: by a version of this class whose
   * broker took no password, or with another password. A SCRAM credential can only be added through
   * an authenticated broker, so the broker runs once also accepting SASL/PLAIN (checked against its
   * own configuration), the credential is set through it, and the broker stops again. The data is
   * kept.
   */
  private void setCredentials(String classpath, Path log4j, Path config, Path logDirs)
      throws IOException, ExecutionException, TimeoutException, InterruptedException {
    LOG.infof(
        "Kafka's data in %s has no SCRAM credential for user %s yet; setting it",
        options.directory(), options.user());
    Files2.writePrivate(config, serverProperties(logDirs, true));
    runBroker(classpath, log4j, config);
    Path clientConfig = options.directory().resolve("credentials-client.properties");
    try {
      Files2.writePrivate(
          clientConfig,
          String.join(
              "\n",
              "security.protocol=SASL_PLAINTEXT",
              "sasl.mechanism=" + CONTROLLER_MECHANISM,
              "sasl.jaas.config=" + jaas(PLAIN_LOGIN, options.user(), options.password(), ""),
              ""));
      runTool(
          "Setting Kafka's SCRAM credential",
          classpath,
          log4j,
          List.of(
              "kafka.admin.ConfigCommand",
              "--bootstrap-server",
              bootstrapServers(),
              "--command-config",
              clientConfig.toString(),
              "--alter",
              "--entity-type",
              "users",
              "--entity-name",
              options.user(),
              "--add-config",
              MECHANISM + "=[password=" + options.password() + "]"));
    } finally {
      Files.deleteIfExists(clientConfig);
      stopProcess();
    }
    markCredentials();
  }

  /**
   * Runs a Kafka command line tool to completion. Its main class and arguments go through an
   * argument file of mode 0600 (expanded by the java launcher, deleted after), so that what they
   * hold is not on the process's command line; the password is cut from any failure message.
   */
  private void runTool(String what, String classpath, Path log4j, List<String> mainAndArguments)
      throws IOException {
    Path argFile = options.directory().resolve("tool.args");
    Files2.writePrivate(
        argFile,
        mainAndArguments.stream()
            .map(LocalKafka::argFileQuoted)
            .collect(Collectors.joining("\n", "", "\n")));
    try {
      List<String> cmd = javaCommand(classpath, log4j);
      cmd.add("@" + argFile);
      ProcessRunner.runOrFail(what, cmd, Map.of(), TOOL_TIMEOUT);
    } catch (InfraException e) {
      throw new InfraException(e.getMessage().replace(options.password(), "<hidden>"));
    } finally {
      Files.deleteIfExists(argFile);
    }
  }

  /** One argument in a java launcher argument file: quoted, backslashes and quotes escaped. */
  static String argFileQuoted(String argument) {
    return "\"" + argument.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  /**
   * Marks the data as holding the SCRAM credential of these options (a digest, not the password).
   */
  private void markCredentials() {
    Files2.writePrivate(options.directory().resolve(CREDENTIALS_MARK), credentialsDigest());
  }

  private boolean credentialsMarked() {
    try {
      Path mark = options.directory().resolve(CREDENTIALS_MARK);
      return Files.exists(mark) && Files.readString(mark).strip().equals(credentialsDigest());
    } catch (IOException e) {
      return false;
    }
  }

  private String credentialsDigest() {
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      return HexFormat.of()
          .formatHex(
              sha256.digest(
                  (options.user() + "\n" + options.password()).getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Starts the broker process and waits until it reports it has started. */
  private void runBroker(String classpath, Path log4j, Path config)
      throws IOException, ExecutionException, TimeoutException, InterruptedException {
    List<String> cmd = javaCommand(classpath, log4j);
    cmd.add("kafka.Kafka");
    cmd.add(config.toString());
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
        // Line by line: what the broker said last is in the file even when this JVM stops first.
        out.flush();
        if (!started.isDone() && line.contains(STARTED)) {
          started.complete(null);
        }
      }
    } catch (IOException e) {
      started.completeExceptionally(e);
    }
  }

  /** The java command up to the main class, which the caller adds with its arguments. */
  private List<String> javaCommand(String classpath, Path log4j) {
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

  /** Whether the broker's process is running. */
  public synchronized boolean alive() {
    return process != null && process.isAlive();
  }

  /** Starts a broker that died (killed, crashed) again with the same data. Nothing if it runs. */
  public synchronized void recover() {
    if (alive()) {
      return;
    }
    process = null;
    launch();
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
