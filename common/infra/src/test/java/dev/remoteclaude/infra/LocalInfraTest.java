package dev.remoteclaude.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
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
  void postgresRefusesAWrongPassword() {
    LocalPostgres.Options options = LocalPostgres.Options.ephemeral("rc", "right");
    try (LocalPostgres pg = LocalPostgres.start(options)) {
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> DriverManager.getConnection(pg.jdbcUrl("postgres"), "rc", "wrong"))
          .hasMessageContaining("password authentication failed");
    }
  }

  @Test
  void kafkaBrokerRoundTripsARecord() {
    try (LocalKafka kafka = LocalKafka.start(LocalKafka.Options.ephemeral(2))) {
      String topic = "t-" + UUID.randomUUID();
      Map<String, Object> common = Map.of("bootstrap.servers", kafka.bootstrapServers());
      try (var producer =
          new KafkaProducer<>(common, new StringSerializer(), new StringSerializer())) {
        producer.send(new ProducerRecord<>(topic, "k", "hello")).get();
      } catch (Exception e) {
        throw new AssertionError(e);
      }
      Map<String, Object> consumerProps =
          Map.of(
              "bootstrap.servers",
              kafka.bootstrapServers(),
              "group.id",
              "g-" + UUID.randomUUID(),
              "auto.offset.reset",
              "earliest");
      try (var consumer =
          new KafkaConsumer<>(consumerProps, new StringDeserializer(), new StringDeserializer())) {
        consumer.subscribe(List.of(topic));
        ConsumerRecords<String, String> records = consumer.poll(Duration.ofSeconds(20));
        assertThat(records).extracting(r -> r.value()).containsExactly("hello");
      }
    }
  }
}
