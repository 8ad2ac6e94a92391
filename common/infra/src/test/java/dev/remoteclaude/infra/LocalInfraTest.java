package dev.remoteclaude.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class LocalInfraTest {

  @Test
  void postgresAcceptsConnectionsAndIsGoneAfterClose() throws Exception {
    LocalPostgres.Options options =
        LocalPostgres.Options.ephemeral("rc", "s3cret-" + UUID.randomUUID());
    try (LocalPostgres pg = LocalPostgres.start(options)) {
      pg.createDatabase("things");
      try (Connection c =
              DriverManager.getConnection(pg.jdbcUrl("things"), "rc", options.password());
          ResultSet rs = c.createStatement().executeQuery("select current_database(), version()")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("things");
        assertThat(rs.getString(2)).startsWith("PostgreSQL");
      }
    }
    assertThat(options.directory()).doesNotExist();
  }

  @Test
  void kraftClusterIdsNeverLookLikeACommandLineOption() {
    // One random id in 64 used to start with '-', and the storage tool refused it as an option.
    for (int i = 0; i < 5_000; i++) {
      assertThat(LocalKafka.clusterId()).hasSize(22).doesNotStartWith("-");
    }
  }

  @Test
  void freePortsAreDrawnBelowTheKernelsEphemeralRange() {
    for (int i = 0; i < 20; i++) {
      assertThat(Ports.free()).isBetween(1024, Ports.ephemeralLow() - 1);
    }
  }

  @Test
  void portRangesForServicesAreFreeAndBelowTheEphemeralRange() throws IOException {
    for (int i = 0; i < 20; i++) {
      int first = Ports.freeRange(5);
      assertThat(first + 4).isLessThan(Ports.ephemeralLow());
      for (int port = first; port < first + 5; port++) {
        try (ServerSocket socket = new ServerSocket()) {
          socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        }
      }
    }
  }

  @Test
  void aThrowAwayPostgresWhosePortWasTakenMovesToAnother() throws Exception {
    try (ServerSocket squatter = squat()) {
      Path dir = Files.createTempDirectory("rc-pg-");
      var options = new LocalPostgres.Options(dir, squatter.getLocalPort(), "rc", "pw", true);
      try (LocalPostgres pg = LocalPostgres.start(options)) {
        assertThat(pg.port()).isNotEqualTo(squatter.getLocalPort());
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl("postgres"), "rc", "pw")) {
          assertThat(c.isValid(5)).isTrue();
        }
      }
    }
  }

  @Test
  void aKeptPostgresWhosePortIsTakenFailsSayingSo() throws Exception {
    try (ServerSocket squatter = squat()) {
      Path dir = Files.createTempDirectory("rc-pg-kept-");
      var options = new LocalPostgres.Options(dir, squatter.getLocalPort(), "rc", "pw", false);
      try {
        assertThatThrownBy(() -> LocalPostgres.start(options))
            .isInstanceOf(InfraException.class)
            .hasMessageContaining("Address already in use");
      } finally {
        Files2.deleteRecursively(dir);
      }
    }
  }

  private static ServerSocket squat() throws Exception {
    ServerSocket socket = new ServerSocket();
    socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), Ports.free()));
    return socket;
  }

  @Test
  void aKafkaBrokerWhosePortWasTakenMovesAndRoundTripsARecord() throws Exception {
    ServerSocket squatter = squat();
    var options =
        new LocalKafka.Options(
            Files.createTempDirectory("rc-kafka-"),
            squatter.getLocalPort(),
            2,
            "rc",
            LocalKafka.randomPassword(),
            true);
    try (squatter;
        LocalKafka kafka = LocalKafka.start(options)) {
      assertThat(kafka.bootstrapServers()).doesNotEndWith(":" + squatter.getLocalPort());
      String topic = "t-" + UUID.randomUUID();
      Map<String, Object> common = new HashMap<>(kafka.clientProperties());
      try (var producer =
          new KafkaProducer<>(common, new StringSerializer(), new StringSerializer())) {
        producer.send(new ProducerRecord<>(topic, "k", "hello")).get();
      } catch (Exception e) {
        throw new AssertionError(e);
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
  }
}
