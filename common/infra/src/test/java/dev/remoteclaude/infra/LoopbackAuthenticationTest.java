package dev.remoteclaude.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The local Kafka and PostgreSQL listen on loopback only and with authentication: another local
 * process (code in a sandbox on the same host) that does not hold the password can neither read nor
 * forge events, nor reach the database.
 */
class LoopbackAuthenticationTest {

  private static LocalKafka.Options kafkaOptions;
  private static LocalKafka kafka;
  private static LocalPostgres postgres;

  @BeforeAll
  static void start() {
    kafkaOptions = LocalKafka.Options.ephemeral(1);
    kafka = LocalKafka.start(kafkaOptions);
    postgres =
        LocalPostgres.start(LocalPostgres.Options.ephemeral("rc", "pg-" + UUID.randomUUID()));
  }

  @AfterAll
  static void stop() {
    if (kafka != null) {
      kafka.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  // --- Kafka ------------------------------------------------------------------------------------

  @Test
  void kafkaRefusesAClientWithoutCredentials() {
    Map<String, Object> plain = quick(Map.of("bootstrap.servers", kafka.bootstrapServers()));
    try (Admin admin = Admin.create(plain)) {
      assertThatThrownBy(() -> admin.listTopics().names().get())
          .hasCauseInstanceOf(TimeoutException.class);
    }
    try (var producer =
        new KafkaProducer<>(plain, new StringSerializer(), new StringSerializer())) {
      assertThatThrownBy(
              () ->
                  producer
                      .send(new ProducerRecord<>("rc.task-events", "k", "forged"))
                      .get(10, TimeUnit.SECONDS))
          .satisfies(e -> assertThat(rootCause(e)).isInstanceOf(TimeoutException.class));
    }
    // The client only sees its connections closed; the broker says why.
    assertThat(Files2.contains(kafka.logFile(), "during SASL handshake")).isTrue();
  }

  @Test
  void kafkaRefusesAWrongPasswordAndAnUnknownUser() {
    for (Map<String, String> wrong :
        List.of(
            LocalKafka.clientProperties(
                kafka.bootstrapServers(), kafka.user(), LocalKafka.randomPassword()),
            LocalKafka.clientProperties(
                kafka.bootstrapServers(), "intruder", LocalKafka.randomPassword()))) {
      try (Admin admin = Admin.create(quick(wrong))) {
        assertThatThrownBy(() -> admin.listTopics().names().get())
            .hasCauseInstanceOf(SaslAuthenticationException.class);
      }
      try (var producer =
          new KafkaProducer<>(quick(wrong), new StringSerializer(), new StringSerializer())) {
        assertThatThrownBy(
                () ->
                    producer
                        .send(new ProducerRecord<>("rc.task-events", "k", "forged"))
                        .get(10, TimeUnit.SECONDS))
            .satisfies(
                e -> assertThat(rootCause(e)).isInstanceOf(SaslAuthenticationException.class));
      }
    }
  }

  @Test
  void kafkaServesAClientWithTheRightCredentials() throws Exception {
    String topic = "t-" + UUID.randomUUID();
    try (var producer =
        new KafkaProducer<>(
            quick(kafka.clientProperties()), new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>(topic, "k", "hello")).get(30, TimeUnit.SECONDS);
    }
    try (Admin admin = Admin.create(quick(kafka.clientProperties()))) {
      assertThat(admin.listTopics().names().get()).contains(topic);
    }
    Map<String, Object> consumerProps = new HashMap<>(kafka.clientProperties());
    consumerProps.put("group.id", "g-" + UUID.randomUUID());
    consumerProps.put("auto.offset.reset", "earliest");
    try (var consumer =
        new KafkaConsumer<>(consumerProps, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(topic));
      ConsumerRecords<String, String> records = consumer.poll(Duration.ofSeconds(20));
      assertThat(records).extracting(r -> r.value()).containsExactly("hello");
    }
  }

  @Test
  void kafkasControllerListenerDemandsThePasswordToo() throws Exception {
    String controller = "127.0.0.1:" + kafka.controllerPort();
    try (Admin admin = Admin.create(quick(Map.of("bootstrap.controllers", controller)))) {
      assertThatThrownBy(() -> admin.describeCluster().clusterId().get())
          .hasCauseInstanceOf(TimeoutException.class);
    }
    try (Admin admin =
        Admin.create(quick(controllerClient(controller, LocalKafka.randomPassword())))) {
      assertThatThrownBy(() -> admin.describeCluster().clusterId().get())
          .hasCauseInstanceOf(SaslAuthenticationException.class);
    }
    try (Admin admin = Admin.create(quick(controllerClient(controller, kafkaOptions.password())))) {
      assertThat(admin.describeCluster().clusterId().get()).isNotBlank();
    }
  }

  @Test
  void kafkasListenersAreOnLoopbackOnly() throws IOException {
    List<String> listeners =
        Files.readAllLines(kafka.logFile().resolveSibling("server.properties")).stream()
            .filter(l -> l.startsWith("listeners=") || l.startsWith("advertised.listeners="))
            .flatMap(l -> List.of(l.substring(l.indexOf('=') + 1).split(",")).stream())
            .toList();
    assertThat(listeners)
        .hasSize(3)
        .allSatisfy(l -> assertThat(l).matches("(BROKER|CONTROLLER)://127\\.0\\.0\\.1:\\d+"));
    assertThat(listeners)
        .contains(
            "BROKER://" + kafka.bootstrapServers(),
            "CONTROLLER://127.0.0.1:" + kafka.controllerPort());
    assertThat(
            Files.readAllLines(kafka.logFile().resolveSibling("server.properties")).stream()
                .filter(l -> l.startsWith("listener.security.protocol.map=")))
        .containsExactly(
            "listener.security.protocol.map=BROKER:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT");
  }

  @Test
  void kafkasPasswordIsOnNoCommandLineInNoLogAndOnlyInPrivateFiles() throws IOException {
    Path dir = kafka.logFile().getParent();
    String password = kafkaOptions.password();
    assertThat(kafka.clientProperties().get("sasl.jaas.config")).contains(password);
    String cmdline =
        new String(
            Files.readAllBytes(Path.of("/proc", String.valueOf(kafka.pid()), "cmdline")),
            StandardCharsets.UTF_8);
    assertThat(cmdline).contains("kafka.Kafka").doesNotContain(password);
    assertThat(Files.readString(kafka.logFile())).doesNotContain(password);
    try (var files = Files.list(dir)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        if (Files.readString(file, StandardCharsets.ISO_8859_1).contains(password)) {
          assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
              .as(file + " holds the password")
              .isEqualTo("rw-------");
        }
      }
    }
    // The tools' argument files and client configuration are gone once used.
    assertThat(dir.resolve("tool.args")).doesNotExist();
    assertThat(dir.resolve("credentials-client.properties")).doesNotExist();
  }

  @Test
  void aKeptBrokerStartedWithAnotherPasswordTakesItAndKeepsItsData() throws Exception {
    Path dir = Files.createTempDirectory("rc-kafka-kept-");
    String first = LocalKafka.randomPassword();
    String second = LocalKafka.randomPassword();
    String topic = "t-" + UUID.randomUUID();
    int port = Ports.free();
    try {
      try (LocalKafka broker =
              LocalKafka.start(new LocalKafka.Options(dir, port, 1, "rc", first, false));
          var producer =
              new KafkaProducer<>(
                  quick(broker.clientProperties()),
                  new StringSerializer(),
                  new StringSerializer())) {
        producer.send(new ProducerRecord<>(topic, "k", "kept")).get(30, TimeUnit.SECONDS);
      }
      try (LocalKafka broker =
          LocalKafka.start(new LocalKafka.Options(dir, port, 1, "rc", second, false))) {
        try (Admin admin =
            Admin.create(
                quick(LocalKafka.clientProperties(broker.bootstrapServers(), "rc", first)))) {
          assertThatThrownBy(() -> admin.listTopics().names().get())
              .hasCauseInstanceOf(SaslAuthenticationException.class);
        }
        Map<String, Object> consumerProps = new HashMap<>(broker.clientProperties());
        consumerProps.put("group.id", "g-" + UUID.randomUUID());
        consumerProps.put("auto.offset.reset", "earliest");
        try (var consumer =
            new KafkaConsumer<>(
                consumerProps, new StringDeserializer(), new StringDeserializer())) {
          consumer.subscribe(List.of(topic));
          ConsumerRecords<String, String> records = consumer.poll(Duration.ofSeconds(20));
          assertThat(records).extracting(r -> r.value()).containsExactly("kept");
        }
        assertThat(Files.readString(broker.logFile())).doesNotContain(first).doesNotContain(second);
      }
    } finally {
      Files2.deleteRecursively(dir);
    }
  }

  // --- PostgreSQL -------------------------------------------------------------------------------

  @Test
  void postgresRefusesNoPasswordAndAWrongOneOverTcp() {
    assertThatThrownBy(() -> DriverManager.getConnection(postgres.jdbcUrl("postgres"), "rc", null))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("no password was provided");
    assertThatThrownBy(
            () -> DriverManager.getConnection(postgres.jdbcUrl("postgres"), "rc", "wrong"))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("password authentication failed");
  }

  @Test
  void postgresRefusesNoPasswordAndAWrongOneOnItsUnixSocket() throws Exception {
    assertThat(postgres.socketDirectory().resolve(".s.PGSQL." + postgres.port())).exists();
    assertThat(psqlOverSocket(null)).contains("no password supplied");
    assertThat(psqlOverSocket("wrong")).contains("password authentication failed");
    assertThat(psqlOverSocket(postgres.password()).strip()).isEqualTo("1");
  }

  @Test
  void everyPostgresAccessRuleDemandsScramAndItListensOnLoopbackOnly() throws Exception {
    try (Connection c =
            DriverManager.getConnection(postgres.jdbcUrl("postgres"), "rc", postgres.password());
        ResultSet rules =
            c.createStatement()
                .executeQuery(
                    "SELECT type, auth_method, coalesce(error, '') FROM pg_hba_file_rules")) {
      List<String> seen = new ArrayList<>();
      while (rules.next()) {
        seen.add(rules.getString(1) + " " + rules.getString(2) + rules.getString(3));
        assertThat(rules.getString(2)).as("pg_hba.conf: " + seen).isEqualTo("scram-sha-256");
      }
      assertThat(seen).anyMatch(r -> r.startsWith("local ")).anyMatch(r -> r.startsWith("host "));
    }
    try (Connection c =
            DriverManager.getConnection(postgres.jdbcUrl("postgres"), "rc", postgres.password());
        ResultSet rs = c.createStatement().executeQuery("SHOW listen_addresses")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("127.0.0.1");
    }
  }

  @Test
  void neitherKafkaNorPostgresAnswersOnANonLoopbackAddress() throws IOException {
    List<Integer> ports =
        List.of(
            Integer.parseInt(kafka.bootstrapServers().substring("127.0.0.1:".length())),
            kafka.controllerPort(),
            postgres.port());
    for (int port : ports) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000); // they do listen
      }
    }
    List<InetAddress> others = nonLoopbackAddresses();
    assumeThat(others).as("this host has a non-loopback address").isNotEmpty();
    for (InetAddress address : others) {
      for (int port : ports) {
        assertThatThrownBy(
                () -> {
                  try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(address, port), 2_000);
                  }
                })
            .as(address + ":" + port)
            .isInstanceOf(ConnectException.class);
      }
    }
  }

  // --- helpers ----------------------------------------------------------------------------------

  /** Client settings with short timeouts, so that a refused client fails within seconds. */
  private static Map<String, Object> quick(Map<String, ?> properties) {
    Map<String, Object> all = new HashMap<>(properties);
    all.put("request.timeout.ms", 3_000);
    all.put("default.api.timeout.ms", 6_000);
    all.put("max.block.ms", 6_000);
    all.put("delivery.timeout.ms", 6_000);
    all.put("linger.ms", 0);
    all.put("reconnect.backoff.max.ms", 500);
    return all;
  }

  private static Map<String, Object> controllerClient(String controller, String password) {
    return Map.of(
        "bootstrap.controllers",
        controller,
        "security.protocol",
        "SASL_PLAINTEXT",
        "sasl.mechanism",
        "PLAIN",
        "sasl.jaas.config",
        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
            + kafka.user()
            + "\" password=\""
            + password
            + "\";");
  }

  private static Throwable rootCause(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause;
  }

  /** psql on the server's Unix socket with {@code password} (null: none); its output. */
  private static String psqlOverSocket(String password) throws Exception {
    ProcessBuilder builder =
        new ProcessBuilder(
                LocalPostgres.findBinaries().resolve("psql").toString(),
                "-h",
                postgres.socketDirectory().toString(),
                "-p",
                String.valueOf(postgres.port()),
                "-U",
                postgres.user(),
                "-d",
                "postgres",
                "-w",
                "-tAc",
                "SELECT 1")
            .redirectErrorStream(true);
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(k -> k.startsWith("PG"));
    env.put("PGPASSFILE", "/nonexistent");
    if (password != null) {
      env.put("PGPASSWORD", password);
    }
    Process process = builder.start();
    process.getOutputStream().close();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return out;
  }

  private static List<InetAddress> nonLoopbackAddresses() throws SocketException {
    List<InetAddress> addresses = new ArrayList<>();
    for (NetworkInterface nic : NetworkInterface.networkInterfaces().toList()) {
      if (!nic.isUp() || nic.isLoopback()) {
        continue;
      }
      nic.inetAddresses()
          .filter(a -> a instanceof Inet4Address || !a.isLinkLocalAddress())
          .filter(a -> !a.isLoopbackAddress())
          .forEach(addresses::add);
    }
    return addresses;
  }
}
