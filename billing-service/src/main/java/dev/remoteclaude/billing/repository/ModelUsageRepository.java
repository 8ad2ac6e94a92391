package dev.remoteclaude.billing.repository;

import dev.remoteclaude.billing.TokenCounts;
import dev.remoteclaude.common.events.ModelUsage;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The token ledger ({@code model_usage}). Every method runs inside the caller's session. */
@ApplicationScoped
public class ModelUsageRepository {

  public Uni<Void> record(UUID eventId, String ownerId, UUID sessionId, ModelUsage usage) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery(
                        "INSERT INTO model_usage (event_id, owner_id, session_id, task_id, model,"
                            + " input_tokens, output_tokens, cache_read_tokens,"
                            + " cache_creation_tokens, at)"
                            + " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
                            + " ON CONFLICT (event_id) DO NOTHING")
                    .setParameter(1, eventId)
                    .setParameter(2, ownerId)
                    .setParameter(3, sessionId)
                    .setParameter(4, usage.taskId())
                    .setParameter(5, usage.model())
                    .setParameter(6, usage.inputTokens())
                    .setParameter(7, usage.outputTokens())
                    .setParameter(8, usage.cacheReadTokens())
                    .setParameter(9, usage.cacheCreationTokens())
                    .setParameter(10, OffsetDateTime.ofInstant(usage.at(), ZoneOffset.UTC))
                    .executeUpdate())
        .replaceWithVoid();
  }

  /** A user's tokens per model since {@code since}. */
  public Uni<Map<String, TokenCounts>> byModelSince(String ownerId, Instant since) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery(
                        "SELECT model, CAST(sum(input_tokens) AS bigint),"
                            + " CAST(sum(output_tokens) AS bigint),"
                            + " CAST(sum(cache_read_tokens) AS bigint),"
                            + " CAST(sum(cache_creation_tokens) AS bigint)"
                            + " FROM model_usage WHERE owner_id = ?1 AND at >= ?2"
                            + " GROUP BY model ORDER BY model",
                        Object[].class)
                    .setParameter(1, ownerId)
                    .setParameter(2, OffsetDateTime.ofInstant(since, ZoneOffset.UTC))
                    .getResultList())
        .map(ModelUsageRepository::byModel);
  }

  private static Map<String, TokenCounts> byModel(List<Object[]> rows) {
    Map<String, TokenCounts> out = new LinkedHashMap<>();
    for (Object[] row : rows) {
      out.put(
          (String) row[0],
          new TokenCounts(
              ((Number) row[1]).longValue(),
              ((Number) row[2]).longValue(),
              ((Number) row[3]).longValue(),
              ((Number) row[4]).longValue()));
    }
    return out;
  }
}
