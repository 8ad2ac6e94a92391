package dev.remoteclaude.gateway.model;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The tokens the model proxy accepts ({@code model_token}): one per task run, scoped to its session
 * and owner, valid until the run ends or its time is up. Only a token's SHA-256 hash is stored.
 * Every method runs inside the caller's session or transaction.
 */
@ApplicationScoped
public class ModelTokenRepository {

  /**
   * Who a token was given to, and the budget of its task run: its cost cap (null: none) and what
   * its model answers cost so far, as recorded.
   */
  public record Grant(
      UUID sessionId, String ownerId, UUID taskId, BigDecimal maxCostUsd, BigDecimal spentUsd) {}

  private static final String PREFIX = "rc-model-";
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A new token for a run of {@code taskId}, valid for {@code ttl} unless revoked before. */
  public Uni<String> mint(UUID sessionId, String ownerId, UUID taskId, Duration ttl) {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    String token = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery("DELETE FROM model_token WHERE expires_at < now()")
                    .executeUpdate()
                    .chain(
                        () ->
                            s.createNativeQuery(
                                    "INSERT INTO model_token (token_hash, session_id, owner_id,"
                                        + " task_id, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)")
                                .setParameter(1, hash(token))
                                .setParameter(2, sessionId)
                                .setParameter(3, ownerId)
                                .setParameter(4, taskId)
                                .setParameter(
                                    5,
                                    OffsetDateTime.ofInstant(
                                        Instant.now().plus(ttl), ZoneOffset.UTC))
                                .executeUpdate()))
        .replaceWith(token);
  }

  /** The grant of a token that exists and has not expired. */
  public Uni<Optional<Grant>> verify(String token) {
    if (token == null || !token.startsWith(PREFIX) || token.length() > 200) {
      return Uni.createFrom().item(Optional.empty());
    }
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery(
                        "SELECT CAST(t.session_id AS text), t.owner_id, CAST(t.task_id AS text),"
                            + " r.max_cost_usd, r.spent_usd FROM model_token t"
                            + " LEFT JOIN task_run r ON r.task_id = t.task_id"
                            + " WHERE t.token_hash = ?1 AND t.expires_at > now()",
                        Object[].class)
                    .setParameter(1, hash(token))
                    .getResultList())
        .map(ModelTokenRepository::grant);
  }

  private static Optional<Grant> grant(List<Object[]> rows) {
    if (rows.isEmpty()) {
      return Optional.empty();
    }
    Object[] row = rows.get(0);
    return Optional.of(
        new Grant(
            UUID.fromString((String) row[0]),
            (String) row[1],
            UUID.fromString((String) row[2]),
            (BigDecimal) row[3],
            row[4] == null ? BigDecimal.ZERO : (BigDecimal) row[4]));
  }

  /** Adds what one model answer of a task run cost to its spend. */
  public Uni<Void> spend(UUID taskId, BigDecimal usd) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery(
                        "UPDATE task_run SET spent_usd = spent_usd + ?1 WHERE task_id = ?2")
                    .setParameter(1, usd)
                    .setParameter(2, taskId)
                    .executeUpdate())
        .replaceWithVoid();
  }

  /**
   * Marks a task run as stopped by a budget (its runner ends it BUDGET_EXCEEDED): {@code scope}
   * names which, with its cap; the first budget to stop it is kept.
   */
  public Uni<Void> budgetExceeded(UUID taskId, String scope, BigDecimal cap) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery(
                        "UPDATE task_run SET budget_exceeded = true,"
                            + " budget_scope = coalesce(budget_scope, ?2),"
                            + " budget_cap_usd = CASE WHEN budget_scope IS NULL THEN ?3"
                            + " ELSE budget_cap_usd END WHERE task_id = ?1")
                    .setParameter(1, taskId)
                    .setParameter(2, scope)
                    .setParameter(3, cap)
                    .executeUpdate())
        .replaceWithVoid();
  }

  /**
   * Marks a task run whose request Anthropic refused the user's own key for (401), with the key's
   * last four characters: the run then fails with a reason naming the user's key.
   */
  public Uni<Void> userKeyRefused(UUID taskId, String last4) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery("UPDATE task_run SET refused_key_last4 = ?2 WHERE task_id = ?1")
                    .setParameter(1, taskId)
                    .setParameter(2, last4)
                    .executeUpdate())
        .replaceWithVoid();
  }

  /** Ends every token given to runs of {@code taskId}. */
  public Uni<Void> revoke(UUID taskId) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery("DELETE FROM model_token WHERE task_id = ?1")
                    .setParameter(1, taskId)
                    .executeUpdate())
        .replaceWithVoid();
  }

  private static byte[] hash(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
