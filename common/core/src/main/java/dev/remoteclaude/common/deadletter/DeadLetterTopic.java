package dev.remoteclaude.common.deadletter;

import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.common.events.EventEnvelope;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.Config;

/**
 * Reads this service's dead-letter topic ({@code rc.dlq.<service>}, where SmallRye's {@code
 * dead-letter-queue} failure strategy puts what its consumers gave up on). Every read is a
 * short-lived consumer of its own that assigns partitions and seeks: no consumer group, nothing
 * committed, so reading never moves anyone's position. The calls block (use a worker thread).
 */
@ApplicationScoped
public class DeadLetterTopic {

  /** Headers SmallRye's Kafka connector writes on a dead-lettered record. */
  static final String REASON = "dead-letter-reason";

  static final String CAUSE = "dead-letter-cause";
  static final String EXCEPTION = "dead-letter-exception-class-name";
  static final String ORIGINAL_TOPIC = "dead-letter-topic";
  static final String ORIGINAL_PARTITION = "dead-letter-partition";
  static final String ORIGINAL_OFFSET = "dead-letter-offset";

  private static final Pattern DLQ_TOPIC =
      Pattern.compile("mp\\.messaging\\.incoming\\.(.+)\\.dead-letter-queue\\.topic");
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** A dead-lettered record as operators see it: where it came from and why it died. */
  public record DeadRecord(
      int partition,
      long offset,
      Instant timestamp,
      String key,
      String originalTopic,
      Integer originalPartition,
      Long originalOffset,
      String reason,
      String cause,
      String exception,
      String eventType,
      UUID eventId,
      int sizeBytes) {}

  /** The offsets a partition of the topic holds now: {@code [beginOffset, endOffset)}. */
  public record PartitionRange(int partition, long beginOffset, long endOffset) {}

  /** What one read found. */
  public record Read(List<PartitionRange> partitions, List<ConsumerRecord<String, String>> found) {}

  private final Map<String, Object> kafka;
  private final Optional<String> topic;

  public DeadLetterTopic(
      @Identifier("default-kafka-broker") Map<String, Object> kafka, Config config) {
    this.kafka = kafka;
    this.topic = configuredTopic(config);
  }

  /**
   * The dead-letter topic of this service's incoming channels ({@code rc.dead-letters.topic}
   * overrides it); empty for a service that consumes nothing.
   */
  public Optional<String> topic() {
    return topic;
  }

  static Optional<String> configuredTopic(Config config) {
    Optional<String> explicit = config.getOptionalValue("rc.dead-letters.topic", String.class);
    if (explicit.isPresent()) {
      return explicit;
    }
    TreeSet<String> topics = new TreeSet<>();
    for (String name : config.getPropertyNames()) {
      Matcher matcher = DLQ_TOPIC.matcher(name);
      if (matcher.matches()) {
        config.getOptionalValue(name, String.class).ifPresent(topics::add);
      }
    }
    return topics.isEmpty() ? Optional.empty() : Optional.of(topics.first());
  }

  /**
   * Up to {@code size} records of the topic (of one partition, if given): from offset {@code from}
   * onwards in each partition, or, without it, the newest of each partition.
   */
  public Read read(String topic, Integer partition, Long from, int size) {
    try (KafkaConsumer<String, String> consumer = consumer()) {
      List<TopicPartition> partitions = new ArrayList<>();
      List<PartitionInfo> infos = consumer.partitionsFor(topic, TIMEOUT);
      for (PartitionInfo info : infos == null ? List.<PartitionInfo>of() : infos) {
        if (partition == null || partition == info.partition()) {
          partitions.add(new TopicPartition(topic, info.partition()));
        }
      }
      partitions.sort(Comparator.comparingInt(TopicPartition::partition));
      Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions, TIMEOUT);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, TIMEOUT);
      List<PartitionRange> ranges = new ArrayList<>();
      Map<TopicPartition, long[]> wanted = new HashMap<>();
      for (TopicPartition tp : partitions) {
        long first = begin.get(tp);
        long last = end.get(tp);
        ranges.add(new PartitionRange(tp.partition(), first, last));
        long start = from == null ? Math.max(first, last - size) : Math.max(first, from);
        long stop = Math.min(last, start + size);
        if (start < stop) {
          wanted.put(tp, new long[] {start, stop});
        }
      }
      return new Read(ranges, fetch(consumer, wanted));
    }
  }

  /** The record at that partition and offset, if the topic holds it. */
  public Optional<ConsumerRecord<String, String>> find(String topic, int partition, long offset) {
    try (KafkaConsumer<String, String> consumer = consumer()) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic, TIMEOUT);
      if (infos == null || infos.stream().noneMatch(p -> p.partition() == partition)) {
        return Optional.empty();
      }
      TopicPartition tp = new TopicPartition(topic, partition);
      long first = consumer.beginningOffsets(List.of(tp), TIMEOUT).get(tp);
      long last = consumer.endOffsets(List.of(tp), TIMEOUT).get(tp);
      if (offset < first || offset >= last) {
        return Optional.empty();
      }
      return fetch(consumer, Map.of(tp, new long[] {offset, offset + 1})).stream()
          .filter(r -> r.offset() == offset)
          .findFirst();
    }
  }

  /** Reads each partition's {@code [start, stop)}; gives up on what has not come in TIMEOUT. */
  private static List<ConsumerRecord<String, String>> fetch(
      KafkaConsumer<String, String> consumer, Map<TopicPartition, long[]> wanted) {
    List<ConsumerRecord<String, String>> found = new ArrayList<>();
    if (wanted.isEmpty()) {
      return found;
    }
    consumer.assign(wanted.keySet());
    wanted.forEach((tp, range) -> consumer.seek(tp, range[0]));
    Map<TopicPartition, long[]> open = new HashMap<>(wanted);
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!open.isEmpty() && System.nanoTime() < deadline) {
      for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
        long[] range = wanted.get(new TopicPartition(record.topic(), record.partition()));
        if (range != null && record.offset() >= range[0] && record.offset() < range[1]) {
          found.add(record);
        }
      }
      open.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue()[1]);
      if (!open.isEmpty()) {
        consumer.pause(wanted.keySet().stream().filter(tp -> !open.containsKey(tp)).toList());
      }
    }
    return found;
  }

  private KafkaConsumer<String, String> consumer() {
    Map<String, Object> config = new HashMap<>(kafka);
    config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    config.put(ConsumerConfig.CLIENT_ID_CONFIG, "rc-dead-letters-" + UUID.randomUUID());
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "200");
    return new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
  }

  /** The operators' view of a record: headers decoded, the envelope's type and id if it has one. */
  public static DeadRecord view(ConsumerRecord<String, String> record) {
    String value = record.value();
    String type = null;
    UUID id = null;
    if (value != null) {
      try {
        EventEnvelope envelope = EventCodec.read(value);
        type = envelope.type();
        id = envelope.id();
      } catch (RuntimeException notAnEnvelope) {
        // A poison message: shown without type and id.
      }
    }
    return new DeadRecord(
        record.partition(),
        record.offset(),
        record.timestamp() < 0 ? null : Instant.ofEpochMilli(record.timestamp()),
        record.key(),
        header(record, ORIGINAL_TOPIC),
        number(header(record, ORIGINAL_PARTITION), Integer::valueOf),
        number(header(record, ORIGINAL_OFFSET), Long::valueOf),
        header(record, REASON),
        header(record, CAUSE),
        header(record, EXCEPTION),
        type,
        id,
        value == null ? 0 : value.getBytes(StandardCharsets.UTF_8).length);
  }

  static String header(ConsumerRecord<?, ?> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null || header.value() == null
        ? null
        : new String(header.value(), StandardCharsets.UTF_8);
  }

  private static <T> T number(String text, java.util.function.Function<String, T> parse) {
    if (text == null) {
      return null;
    }
    try {
      return parse.apply(text.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
