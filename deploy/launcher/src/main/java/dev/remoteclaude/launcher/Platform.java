package dev.remoteclaude.launcher;

import dev.remoteclaude.infra.InfraException;
import dev.remoteclaude.infra.LocalKafka;
import dev.remoteclaude.infra.LocalPostgres;
import dev.remoteclaude.infra.anthropic.AnthropicStub;
import dev.remoteclaude.infra.anthropic.Script;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * The whole platform on one machine: PostgreSQL, a Kafka broker, the Messages API stub (when no API
 * key is given), the five services from their packaged applications, and the edge router. Used by
 * {@code ./rc up} and by the system tests.
 */
public final class Platform implements AutoCloseable {

  public static final String DATABASE = "remoteclaude";

  /** Where the services listen, and the only address they take forwarding headers from. */
  static final String LOOPBACK = "127.0.0.1";

  static final List<String> SERVICES =
      List.of(
          "session-service",
          "task-service",
          "repository-service",
          "billing-service",
          "sandbox-gateway");

  private final PlatformOptions options;
  private final LocalKeys keys;
  private final List<AutoCloseable> started = new ArrayList<>();
  private final Map<String, ServiceProcess> services = new LinkedHashMap<>();
  private final Map<String, Properties> configs = new LinkedHashMap<>();
  private final Map<String, String> instances = new LinkedHashMap<>();

  /**
   * A service's management port (its metrics) is its HTTP port plus this: 9081-9085 by default; a
   * replica gets a free one. Kept across restarts.
   */
  static final int MANAGEMENT_PORT_OFFSET = 1000;

  private final Map<String, Integer> managementPorts =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** How long a service may take to stop before it is killed. */
  static final Duration STOP_WAIT = Duration.ofSeconds(20);

  /** The same, for a service that records its ahead-of-time cache as it stops. */
  static final Duration RECORDING_STOP_WAIT = Duration.ofMinutes(4);

  /** How often a service that stops while it starts is started again before the start fails. */
  static final int START_ATTEMPTS = 2;

  /** Held while a service is replaced, so that the supervisor never sees one half-replaced. */
  private final Object lock = new Object();

  private Supervisor supervisor;
  private EdgeRouter edge;
  private AnthropicStub stub;
  private LocalPostgres postgres;
  private LocalKafka kafka;

  private Platform(PlatformOptions options) {
    this.options = options;
    this.keys = LocalKeys.load(options.home().resolve("keys"));
  }

  /**
   * Starts everything and returns once every service is ready; {@code progress} hears each step.
   */
  public static Platform start(PlatformOptions options, Consumer<String> progress) {
    Platform platform = new Platform(options);
    try {
      platform.bringUp(progress);
      return platform;
    } catch (RuntimeException e) {
      platform.close();
      throw e;
    }
  }

  private void bringUp(Consumer<String> progress) {
    Path data = options.home().resolve("data");
    Path logs = options.home().resolve("logs");
    mkdirs(data, logs);
    checkServicesBuilt();

    progress.accept("PostgreSQL on port " + options.postgresPort());
    postgres =
        LocalPostgres.start(
            new LocalPostgres.Options(
                data.resolve("postgres"),
                options.postgresPort(),
                "rc",
                keys.databasePassword(),
                false));
    started.add(postgres);
    postgres.createDatabase(DATABASE);

    progress.accept("Kafka (KRaft) on port " + options.kafkaPort());
    kafka =
        LocalKafka.start(
            new LocalKafka.Options(
                data.resolve("kafka"), options.kafkaPort(), 3, "rc", keys.kafkaPassword(), false));
    started.add(kafka);

    Optional<String> apiKey = options.anthropicApiKey();
    Optional<String> baseUrl = options.anthropicBaseUrl();
    if (apiKey.isEmpty()) {
      progress.accept("offline demo model (no ANTHROPIC_API_KEY) on port " + options.stubPort());
      stub = AnthropicStub.start(options.stubPort(), Script.demo());
      started.add(stub);
      apiKey = Optional.of("sk-local-demo-model");
      baseUrl = Optional.of(stub.baseUrl());
    }

    Path sandboxes = data.resolve("sandboxes");
    mkdirs(sandboxes);
    Map<String, AotCache.Plan> plans = new LinkedHashMap<>();
    SERVICES.forEach(name -> plans.put(name, aotPlan(name)));
    long recording = plans.values().stream().filter(AotCache.Plan::recording).count();
    progress.accept(
        SERVICES.size()
            + " services on ports "
            + options.servicePorts()
            + "-"
            + (options.servicePorts() + SERVICES.size() - 1)
            + (recording == 0
                ? ""
                : " (" + recording + " recording start-up caches, once after a build)"));
    for (int i = 0; i < SERVICES.size(); i++) {
      String name = SERVICES.get(i);
      configs.put(name, serviceConfig(name, postgres, kafka, sandboxes, apiKey, baseUrl));
      launch(name, name, options.servicePorts() + i, plans.get(name));
    }
    awaitReady(services.keySet(), startWait(System.getenv("RC_START_WAIT_SECONDS")));

    progress.accept("edge router on port " + options.edgePort());

    Map<String, Integer> ports = new LinkedHashMap<>();
    services.forEach((name, service) -> ports.put(name, service.port()));
    edge =
        EdgeRouter.start(
            options.edgePort(),
            ports,
            this::health,
            EdgeRouter.Limits.fromEnvironment(System.getenv()),
            Optional.of(writeDashboardConfig()));
    started.add(edge);
  }

  private Properties serviceConfig(
      String name,
      LocalPostgres postgres,
      LocalKafka kafka,
      Path sandboxes,
      Optional<String> apiKey,
      Optional<String> baseUrl) {
    Properties config = new Properties();
    config.setProperty("quarkus.profile", "local");
    config.setProperty("quarkus.datasource.username", postgres.user());
    config.setProperty("quarkus.datasource.password", postgres.password());
    config.setProperty("quarkus.datasource.reactive.url", postgres.reactiveUrl(DATABASE));
    config.setProperty("quarkus.datasource.jdbc.url", postgres.jdbcUrl(DATABASE));
    // bootstrap.servers and the broker's SASL settings (its password: this file is 0600).
    kafka.clientProperties().forEach((key, value) -> config.setProperty("kafka." + key, value));
    config.setProperty("rc.auth.public-key", keys.publicKeyBase64());
    config.setProperty("rc.auth.issuer", LocalKeys.ISSUER);
    config.setProperty("rc.auth.audience", LocalKeys.AUDIENCE);
    config.setProperty("rc.secrets.key-id", "k1");
    config.setProperty("rc.secrets.keys.k1", keys.secretKey());
    config.setProperty("quarkus.log.console.color", "false");
    // The edge is the only way in: the services listen on the loopback interface only, and take
    // X-Forwarded-* (the address the client used, for Location headers) only from the edge, which
    // connects from 127.0.0.1 and replaces whatever forwarding headers a client sent.
    config.setProperty("quarkus.http.host", LOOPBACK);
    // Metrics are served on the management interface, on the loopback interface too.
    config.setProperty("quarkus.management.host", LOOPBACK);
    config.setProperty("quarkus.http.proxy.trusted-proxies", LOOPBACK);
    options
        .serviceConfig()
        .forEach(
            (key, value) -> {
              int colon = key.indexOf(':');
              String target = key.substring(0, colon);
              if (target.equals("*") || target.equals(name)) {
                config.setProperty(key.substring(colon + 1), value);
              }
            });
    if (name.equals("sandbox-gateway")) {
      config.setProperty("gateway.local.root", sandboxes.toString());
      config.setProperty(
          "gateway.claude.binary",
          options
              .projectRoot()
              .resolve("sandbox-gateway/claude-code/node_modules/.bin/claude")
              .toString());
      apiKey.ifPresent(key -> config.setProperty("gateway.claude.api-key", key));
      baseUrl.ifPresent(url -> config.setProperty("gateway.claude.base-url", url));
      // The model proxy: the only way from a sandbox to the model (and to its key).
      int proxy = dev.remoteclaude.infra.Ports.free();
      config.setProperty("gateway.model-proxy.port", Integer.toString(proxy));
      config.setProperty("gateway.model-proxy.sandbox-url", "http://127.0.0.1:" + proxy);
    }
    return config;
  }

  private List<String> jvmOptions() {
    List<String> jvm =
        new ArrayList<>(
            List.of("-Xms64m", "-Xmx384m", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError"));
    jvm.addAll(options.serviceJvmOptions());
    return jvm;
  }

  /** What a service's next run does with its ahead-of-time cache ({@link AotCache}). */
  private AotCache.Plan aotPlan(String service) {
    return options
        .aotCache()
        .map(directory -> new AotCache(directory).plan(service, app(service), jvmOptions()))
        .orElseGet(AotCache.None::new);
  }

  private ServiceProcess launch(String instance, String service, int port) {
    return launch(instance, service, port, aotPlan(service));
  }

  private ServiceProcess launch(String instance, String service, int port, AotCache.Plan aot) {
    List<String> jvm = new ArrayList<>(jvmOptions());
    jvm.addAll(aot.jvmOptions());
    Path workDir = writeConfig(instance, configs.getOrDefault(instance, configs.get(service)));
    int managementPort =
        managementPorts.computeIfAbsent(
            instance,
            name ->
                SERVICES.contains(name)
                    ? port + MANAGEMENT_PORT_OFFSET
                    : dev.remoteclaude.infra.Ports.free());
    ServiceProcess process =
        ServiceProcess.start(
            instance,
            app(service),
            port,
            managementPort,
            workDir,
            jvm,
            options.home().resolve("logs").resolve(instance + ".log"),
            // A recording JVM writes its cache when it stops: about a minute for five on two cores.
            aot.recording() ? RECORDING_STOP_WAIT : STOP_WAIT,
            aot::afterExit);
    services.put(instance, process);
    started.add(process);
    return process;
  }

  /**
   * Starts another instance of a service (a replica sharing the same database and broker) named
   * {@code instance} on {@code port}, and waits until it is ready.
   */
  public ServiceProcess startReplica(String service, String instance, int port) {
    instances.put(instance, service);
    Properties config = new Properties();
    config.putAll(configs.get(service));
    if (config.containsKey("gateway.model-proxy.port")) {
      // A port of its own; its sandboxes use the sandbox URL of the first (any proxy serves any
      // run: the tokens are in the shared database).
      config.setProperty(
          "gateway.model-proxy.port", Integer.toString(dev.remoteclaude.infra.Ports.free()));
    }
    configs.put(instance, config);
    ServiceProcess process = launch(instance, service, port);
    awaitReady(List.of(instance), Duration.ofMinutes(3));
    return process;
  }

  /** Stops an instance (killed, as in a crash, or gracefully) and starts it again on its port. */
  public ServiceProcess restart(String instance, boolean kill) {
    ServiceProcess process;
    synchronized (lock) {
      ServiceProcess old = services.get(instance);
      if (kill) {
        old.kill();
      } else {
        old.close();
      }
      process = relaunch(instance);
    }
    awaitReady(List.of(instance), Duration.ofMinutes(3));
    return process;
  }

  /**
   * Kills the Kafka broker outright (kill -9, as in a crash) and starts it again with the same data
   * on the same port; returns once it runs (the services' clients reconnect on their own).
   */
  public void killAndRecoverKafka() {
    synchronized (lock) {
      ProcessHandle.of(kafka.pid())
          .ifPresent(
              broker -> {
                broker.destroyForcibly();
                broker.onExit().join();
              });
      kafka.recover();
    }
  }

  /**
   * Stops PostgreSQL (fast shutdown: every connection is cut, running transactions roll back) and
   * starts it again with the same data on the same port.
   */
  public void restartPostgres() {
    synchronized (lock) {
      postgres.stop();
      postgres.restart();
    }
  }

  /** The platform database's JDBC URL; its user is {@link #databaseUser()}. */
  public String jdbcUrl() {
    return postgres.jdbcUrl(DATABASE);
  }

  public String databaseUser() {
    return postgres.user();
  }

  /** What a Kafka client needs to reach the broker (bootstrap servers, SASL settings). */
  public Map<String, String> kafkaClientProperties() {
    return kafka.clientProperties();
  }

  /** Starts an instance that has stopped again on its port (not waiting for it to be ready). */
  private ServiceProcess relaunch(String instance) {
    ServiceProcess old = services.get(instance);
    started.remove(old);
    return launch(instance, instances.getOrDefault(instance, instance), old.port());
  }

  /**
   * Keeps every component running from now on (see {@link Supervisor}): {@code notices} hears one
   * line per restart, {@code giveUp} the reason when a component keeps crashing.
   */
  public void supervise(Consumer<String> notices, Consumer<String> giveUp) {
    List<Supervisor.Component> components = new ArrayList<>();
    components.add(
        new Supervised(
            "postgresql",
            "process",
            "127.0.0.1:" + postgres.port(),
            postgres::alive,
            postgres::pid,
            postgres::recover,
            Optional.of(postgres.logFile())));
    components.add(
        new Supervised(
            "kafka",
            "process",
            "127.0.0.1:" + options.kafkaPort(),
            kafka::alive,
            kafka::pid,
            kafka::recover,
            Optional.empty()));
    for (String name : List.copyOf(services.keySet())) {
      components.add(new SupervisedService(name));
    }
    long self = ProcessHandle.current().pid();
    components.add(
        new Supervised(
            "edge", "in-launcher", baseUrl(), () -> true, () -> self, () -> {}, Optional.empty()));
    if (stub != null) {
      components.add(
          new Supervised(
              "demo-model",
              "in-launcher",
              stub.baseUrl(),
              () -> true,
              () -> self,
              () -> {},
              Optional.empty()));
    }
    supervisor = new Supervisor(lock, components, options.home(), notices, giveUp);
    supervisor.start(Duration.ofMillis(500));
  }

  private record Supervised(
      String name,
      String kind,
      String address,
      java.util.function.BooleanSupplier isAlive,
      java.util.function.LongSupplier pidOf,
      Runnable restarter,
      Optional<Path> log)
      implements Supervisor.Component {
    @Override
    public boolean alive() {
      return isAlive.getAsBoolean();
    }

    @Override
    public long pid() {
      return pidOf.getAsLong();
    }

    @Override
    public Optional<Integer> exitCode() {
      return Optional.empty();
    }

    @Override
    public void restart() {
      restarter.run();
    }
  }

  private final class SupervisedService implements Supervisor.Component {
    private final String name;

    SupervisedService(String name) {
      this.name = name;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public String kind() {
      return "process";
    }

    @Override
    public String address() {
      return "127.0.0.1:" + services.get(name).port();
    }

    @Override
    public boolean alive() {
      return services.get(name).isAlive();
    }

    @Override
    public long pid() {
      return services.get(name).pid();
    }

    @Override
    public Optional<Integer> exitCode() {
      return services.get(name).exitCode();
    }

    @Override
    public void restart() {
      relaunch(name);
    }

    @Override
    public Optional<Path> log() {
      return Optional.of(services.get(name).log());
    }
  }

  /**
   * Each service runs in its own directory, whose config/application.properties (0600) holds its
   * secrets.
   */
  private Path writeConfig(String name, Properties config) {
    Path workDir = options.home().resolve("run").resolve(name);
    Path file = workDir.resolve("config").resolve("application.properties");
    try {
      Files.createDirectories(file.getParent());
      Files.deleteIfExists(file);
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      try (var out = Files.newBufferedWriter(file)) {
        config.store(out, "written by the Remote Claude launcher; holds secrets");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
    return workDir;
  }

  private Path app(String service) {
    return options.projectRoot().resolve(service).resolve("target/quarkus-app/quarkus-run.jar");
  }

  private void checkServicesBuilt() {
    for (String service : SERVICES) {
      if (!Files.exists(app(service))) {
        throw new InfraException(
            service + " is not built (" + app(service) + " missing): ./rc up builds it");
      }
    }
    Path claude =
        options.projectRoot().resolve("sandbox-gateway/claude-code/node_modules/.bin/claude");
    if (!Files.exists(claude)) {
      throw new InfraException(
          "the Claude Code CLI is not installed (" + claude + "): build the gateway");
    }
  }

  /**
   * How long the services may take to become ready at start: {@code RC_START_WAIT_SECONDS}, 240 by
   * default (a machine busy with other builds may need more).
   */
  static Duration startWait(String seconds) {
    if (seconds == null || seconds.isBlank()) {
      return Duration.ofMinutes(4);
    }
    try {
      return Duration.ofSeconds(Math.max(1, Long.parseLong(seconds.strip())));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "RC_START_WAIT_SECONDS must be a whole number of seconds, not '" + seconds + "'");
    }
  }

  private void awaitReady(java.util.Collection<String> names, Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    List<String> waiting = new ArrayList<>(names);
    Map<String, Integer> attempts = new LinkedHashMap<>();
    while (!waiting.isEmpty()) {
      for (String name : waiting) {
        ServiceProcess service = services.get(name);
        if (!service.isAlive()) {
          // A start can fail for a passing reason (a busy machine's connection timeouts): try
          // again, a few times, before giving up.
          int attempt = attempts.merge(name, 1, Integer::sum);
          if (attempt > START_ATTEMPTS) {
            throw new InfraException(
                service.name()
                    + " stopped while starting, "
                    + START_ATTEMPTS
                    + " times; see "
                    + service.log());
          }
          synchronized (lock) {
            relaunch(name);
          }
        }
      }
      waiting.removeIf(name -> services.get(name).ready());
      if (waiting.isEmpty()) {
        return;
      }
      if (Instant.now().isAfter(deadline)) {
        throw new InfraException(
            "not ready after "
                + timeout.toSeconds()
                + " s: "
                + waiting
                + " (logs in "
                + options.home().resolve("logs")
                + ")");
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InfraException("interrupted while waiting for the services");
      }
    }
  }

  /** The edge's /q/health: every service's readiness. */
  String health() {
    StringBuilder out = new StringBuilder("{\"services\":{");
    boolean allUp = true;
    int i = 0;
    for (ServiceProcess service : services.values()) {
      boolean up = service.isAlive() && service.ready();
      allUp &= up;
      out.append(i++ == 0 ? "" : ",")
          .append('"')
          .append(service.name())
          .append("\":\"")
          .append(up ? "UP" : "DOWN")
          .append('"');
    }
    return out.append("},\"status\":\"").append(allUp ? "UP" : "DOWN").append("\"}").toString();
  }

  public String baseUrl() {
    return "http://localhost:" + edge.port();
  }

  public LocalKeys keys() {
    return keys;
  }

  public Map<String, ServiceProcess> services() {
    return services;
  }

  /** Process ids of PostgreSQL's postmaster and of the Kafka broker. */
  public List<Long> infrastructurePids() {
    return List.of(postgres.pid(), kafka.pid());
  }

  public Optional<AnthropicStub> stub() {
    return Optional.ofNullable(stub);
  }

  public Path home() {
    return options.home();
  }

  /**
   * The dashboard's sign-in settings the edge serves as {@code /config.json}: locally a token of
   * the launcher's key ({@code {"mode":"local"}}; the services trust no other issuer here).
   * Rewritten at every start. Kubernetes mounts the same file from a ConfigMap, naming the OIDC
   * issuer (docs/dashboard.md).
   */
  public Path dashboardConfig() {
    return options.home().resolve("dashboard").resolve("config.json");
  }

  private Path writeDashboardConfig() {
    Path file = dashboardConfig();
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, DashboardFiles.LOCAL_CONFIG + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  private static void mkdirs(Path... dirs) {
    for (Path dir : dirs) {
      try {
        Files.createDirectories(dir);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** Stops everything, services before the infrastructure they use. */
  @Override
  public void close() {
    if (supervisor != null) {
      supervisor.close();
    }
    List<AutoCloseable> reverse = new ArrayList<>(started);
    java.util.Collections.reverse(reverse);
    List<ServiceProcess> running = new ArrayList<>();
    for (AutoCloseable c : reverse) {
      if (c instanceof ServiceProcess s) {
        running.add(s);
      }
    }
    // Services stop in parallel (each takes a moment to drain), then the rest in order.
    running.parallelStream().forEach(ServiceProcess::close);
    for (AutoCloseable c : reverse) {
      if (c instanceof ServiceProcess) {
        continue;
      }
      try {
        c.close();
      } catch (Exception e) {
        System.err.println("while stopping: " + e.getMessage());
      }
    }
    started.clear();
  }
}
