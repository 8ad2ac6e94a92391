package dev.remoteclaude.common.deadletter;

import dev.remoteclaude.common.auth.CurrentUser;
import dev.remoteclaude.common.deadletter.DeadLetterReplays.Outcome;
import dev.remoteclaude.common.deadletter.DeadLetterReplays.Position;
import dev.remoteclaude.common.deadletter.DeadLetterReplays.Replay;
import dev.remoteclaude.common.deadletter.DeadLetterTopic.DeadRecord;
import dev.remoteclaude.common.deadletter.DeadLetterTopic.PartitionRange;
import dev.remoteclaude.common.problem.ProblemException;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Operators' view of this service's dead-letter topic ({@code rc.dlq.<service>}): the records its
 * consumers gave up on, why, and a replay of one through the consumer that failed it. Like {@code
 * OutboxAdminResource}, only for tokens with the operator role ({@code rc.auth.operator-role}).
 */
@Path("/api/v1/admin/dead-letters")
@Tag(name = "admin")
@RolesAllowed("${rc.auth.operator-role:rc-operator}")
public class DeadLetterAdminResource {

  /** A dead-lettered record, with its replays if an operator made any. */
  public record DeadLetter(
      int partition,
      long offset,
      java.time.Instant timestamp,
      String key,
      String originalTopic,
      Integer originalPartition,
      Long originalOffset,
      String reason,
      String cause,
      String exception,
      String eventType,
      java.util.UUID eventId,
      int sizeBytes,
      Replay replayed) {

    static DeadLetter of(DeadRecord record, Replay replay) {
      return new DeadLetter(
          record.partition(),
          record.offset(),
          record.timestamp(),
          record.key(),
          record.originalTopic(),
          record.originalPartition(),
          record.originalOffset(),
          record.reason(),
          record.cause(),
          record.exception(),
          record.eventType(),
          record.eventId(),
          record.sizeBytes(),
          replay);
    }
  }

  /** One read of the topic: what its partitions hold, and the records asked for. */
  public record DeadLetterPage(
      String topic, List<PartitionRange> partitions, List<DeadLetter> items) {}

  /** What a replay answers. */
  public record Replayed(
      int partition, long offset, String originalTopic, Outcome outcome, int replays) {}

  private final DeadLetterTopic deadLetters;
  private final DeadLetterReplays replays;
  private final ChannelListeners listeners;
  private final CurrentUser user;
  private final Vertx vertx;

  public DeadLetterAdminResource(
      DeadLetterTopic deadLetters,
      DeadLetterReplays replays,
      ChannelListeners listeners,
      CurrentUser user,
      Vertx vertx) {
    this.deadLetters = deadLetters;
    this.replays = replays;
    this.listeners = listeners;
    this.user = user;
    this.vertx = vertx;
  }

  @GET
  @Operation(
      summary = "Records on this service's dead-letter topic (operators)",
      description =
          "Without 'from': the newest 'size' records of each partition (of 'partition' if given),"
              + " newest first. With 'from': the records from that offset on, by partition and"
              + " offset. 'partitions' tells each partition's offsets, to page through it.")
  public Uni<DeadLetterPage> list(
      @QueryParam("partition") @Min(0) Integer partition,
      @QueryParam("from") @Min(0) Long from,
      @QueryParam("size") @DefaultValue("20") @Min(1) @Max(100) int size) {
    String topic = topic();
    return vertx
        .executeBlocking(() -> deadLetters.read(topic, partition, from, size))
        .chain(
            read -> {
              Comparator<DeadRecord> order =
                  from == null
                      ? Comparator.comparing(
                              DeadRecord::timestamp,
                              Comparator.nullsLast(Comparator.<java.time.Instant>naturalOrder()))
                          .thenComparingLong(DeadRecord::offset)
                          .reversed()
                      : Comparator.comparingInt(DeadRecord::partition)
                          .thenComparingLong(DeadRecord::offset);
              List<DeadRecord> records =
                  read.found().stream()
                      .map(DeadLetterTopic::view)
                      .sorted(order)
                      .limit(size)
                      .toList();
              List<Position> positions =
                  records.stream().map(r -> new Position(r.partition(), r.offset())).toList();
              return replays
                  .of(topic, positions)
                  .map(
                      known ->
                          new DeadLetterPage(
                              topic,
                              read.partitions(),
                              records.stream()
                                  .map(
                                      r ->
                                          DeadLetter.of(
                                              r,
                                              known.get(new Position(r.partition(), r.offset()))))
                                  .toList()));
            });
  }

  @POST
  @Path("/{partition}/{offset}/replay")
  @Operation(
      summary = "Hand a dead-lettered record to this service's consumer again (operators)",
      description =
          "The consumer of the record's original topic in this service takes it as if it came"
              + " from Kafka: an event it had already handled changes nothing, one that failed"
              + " from a passing cause is now handled. The replay is recorded and shown in the"
              + " list. 404 if the topic holds no such record; 409 if it fails again.")
  public Uni<Replayed> replay(
      @PathParam("partition") @Min(0) int partition, @PathParam("offset") @Min(0) long offset) {
    String topic = topic();
    String operator = user.id();
    Position position = new Position(partition, offset);
    return vertx
        .executeBlocking(() -> deadLetters.find(topic, partition, offset))
        .chain(
            found -> {
              ConsumerRecord<String, String> record =
                  found.orElseThrow(
                      () -> ProblemException.notFound("dead letter " + partition + "/" + offset));
              String original = DeadLetterTopic.header(record, DeadLetterTopic.ORIGINAL_TOPIC);
              ChannelListeners.Listener listener =
                  (original == null ? null : listeners.forTopic(original).orElse(null));
              if (listener == null) {
                throw ProblemException.conflict(
                    "no consumer of this service reads the record's original topic");
              }
              return listener
                  .handle(record.value())
                  .map(done -> Outcome.HANDLED)
                  .onFailure()
                  .recoverWithItem(
                      failure -> {
                        Log.warnf(
                            "replay of dead letter %s/%d/%d failed again: %s",
                            topic, partition, offset, failure.toString());
                        return Outcome.FAILED;
                      })
                  .chain(outcome -> replays.record(topic, position, operator, outcome))
                  .map(
                      replay -> {
                        if (replay.outcome() == Outcome.FAILED) {
                          throw new ProblemException(
                              409,
                              "replay-failed",
                              "Replay failed",
                              "the record failed again and stays on the dead-letter topic; the"
                                  + " service log says why",
                              Map.of("replays", replay.replays()));
                        }
                        return new Replayed(
                            partition, offset, original, replay.outcome(), replay.replays());
                      });
            });
  }

  private String topic() {
    return deadLetters
        .topic()
        .orElseThrow(() -> ProblemException.notFound("this service's dead-letter topic"));
  }
}
