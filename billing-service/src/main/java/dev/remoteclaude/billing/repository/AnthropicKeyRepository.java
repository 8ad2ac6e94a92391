package dev.remoteclaude.billing.repository;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * Users' own Anthropic API keys ({@code anthropic_key}), sealed; every method runs in the caller's
 * session or transaction.
 */
@ApplicationScoped
public class AnthropicKeyRepository {

  /** A user's key as stored: sealed, its last four characters and when it was set. */
  public record StoredKey(String sealedKey, String last4, Instant setAt) {

    @Override
    public String toString() {
      return "StoredKey[last4=" + last4 + ", setAt=" + setAt + "]";
    }
  }

  public Uni<Optional<StoredKey>> find(String userId) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery(
                        "SELECT sealed_key, last4, set_at FROM anthropic_key WHERE user_id = ?1",
                        Object[].class)
                    .setParameter(1, userId)
                    .getResultList())
        .map(
            rows ->
                rows.stream()
                    .findFirst()
                    .map(
                        r ->
                            new StoredKey(
                                (String) r[0], (String) r[1], UsageLineRepository.instant(r[2]))));
  }

  public Uni<Void> store(String userId, StoredKey key) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery(
                        "INSERT INTO anthropic_key (user_id, sealed_key, last4, set_at)"
                            + " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (user_id) DO UPDATE"
                            + " SET sealed_key = ?2, last4 = ?3, set_at = ?4")
                    .setParameter(1, userId)
                    .setParameter(2, key.sealedKey())
                    .setParameter(3, key.last4())
                    .setParameter(4, OffsetDateTime.ofInstant(key.setAt(), ZoneOffset.UTC))
                    .executeUpdate())
        .replaceWithVoid();
  }

  /** Removes the user's key; true if there was one. */
  public Uni<Boolean> delete(String userId) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery("DELETE FROM anthropic_key WHERE user_id = ?1")
                    .setParameter(1, userId)
                    .executeUpdate())
        .map(n -> n > 0);
  }
}
