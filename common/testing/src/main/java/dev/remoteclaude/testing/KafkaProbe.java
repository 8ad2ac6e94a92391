package dev.remoteclaude.testing;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Reads and writes raw records on the test broker, for assertions on what a service published and
 * for feeding it events (including malformed ones). A probe reads its topics from their current
 * end, so each test sees only what happened after it created the probe.
 */
public final class KafkaProbe implements AutoCloseable {

  private final KafkaConsumer<String, String> consumer;
  private final List<ConsumerRecord<String, String>> seen = new CopyOnWriteArrayList<>();
  private final Thread poller;
  private volatile boolean running = true;

  private KafkaProbe(Collection<String> topics) {
    Map<String, Object> config = new HashMap<>(TestInfra.kafkaClientProperties());
    config.put("group.id", "probe-" + UUID.randomUUID());
    config.put("enable.auto.commit", "false");
    consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : topics) {
      ensureTopic(topic);
      consumer
          .partitionsFor(topic, Duration.ofSeconds(30))
          .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
    }
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    partitions.forEach(consumer::position);
    poller = new Thread(this::poll, "kafka-probe");
    poller.setDaemon(true);
    poller.start();
  }

  /** Starts reading the given topics from their current end. */
  public static KafkaProbe watch(String... topics) {
    return new KafkaProbe(List.of(topics));
  }

  private void poll() {
    while (running) {
      synchronized (consumer) {
        if (!running) {
          return;
        }
        consumer.poll(Duration.ofMillis(100)).forEach(seen::add);
      }
    }
  }

  public List<ConsumerRecord<String, String>> records() {
    return List.copyOf(seen);
  }

  /**
   * Waits until a record matches and returns it: up to 90 s, for the events that follow a real
   * Claude Code run (a task, then its commit and push) on a loaded machine.
   */
  public ConsumerRecord<String, String> awaitRecord(
      Predicate<ConsumerRecord<String, String>> match) {
    return await()
        .atMost(Duration.ofSeconds(90))
        .until(() -> seen.stream().filter(match).findFirst().orElse(null), r -> r != null);
  }

  public static void send(String topic, String key, String value) {
    try (var producer =
        new KafkaProducer<>(
            new HashMap<String, Object>(TestInfra.kafkaClientProperties()),
            new StringSerializer(),
            new StringSerializer())) {
      producer.send(new ProducerRecord<>(topic, key, value)).get();
    } catch (Exception e) {
      throw new IllegalStateException("could not send to " + topic, e);
    }
  }

  /** Creates the topic by producing nothing: asks for its metadata, which auto-creates it. */
  private void ensureTopic(String topic) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> !consumer.partitionsFor(topic, Duration.ofSeconds(5)).isEmpty());
  }

  @Override
  public void close() {
    running = false;
    synchronized (consumer) {
      consumer.close();
    }
  }
}
