package dev.remoteclaude.gateway.model;

import dev.remoteclaude.common.events.AnthropicKeyChanged;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * Users' own Anthropic API keys as billing published them ({@code user_anthropic_key}), sealed.
 * Every method runs inside the caller's session or transaction.
 */
@ApplicationScoped
public class UserKeyRepository {

  /** A user's key, sealed, and its last four characters. */
  public record SealedKey(String sealedKey, String last4) {

    @Override
    public String toString() {
      return "SealedKey[last4=" + last4 + "]";
    }
  }

  /** The user's key, if they set one. */
  public Uni<Optional<SealedKey>> find(String ownerId) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery(
                        "SELECT sealed_key, last4 FROM user_anthropic_key WHERE owner_id = ?1"
                            + " AND sealed_key IS NOT NULL",
                        Object[].class)
                    .setParameter(1, ownerId)
                    .getResultList())
        .map(
            rows ->
                rows.stream().findFirst().map(r -> new SealedKey((String) r[0], (String) r[1])));
  }

  /**
   * Keeps billing's newest word on a user's key: an older or repeated publication changes nothing.
   */
  public Uni<Void> apply(String ownerId, AnthropicKeyChanged change) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery(
                        "INSERT INTO user_anthropic_key (owner_id, sealed_key, last4, as_of)"
                            + " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (owner_id) DO UPDATE"
                            + " SET sealed_key = ?2, last4 = ?3, as_of = ?4"
                            + " WHERE user_anthropic_key.as_of < ?4")
                    .setParameter(1, ownerId)
                    .setParameter(2, change.sealedKey())
                    .setParameter(3, change.last4())
                    .setParameter(4, utc(change.at()))
                    .executeUpdate())
        .replaceWithVoid();
  }

  private static OffsetDateTime utc(Instant instant) {
    return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }
}
