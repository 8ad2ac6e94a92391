package dev.remoteclaude.billing.service;

import dev.remoteclaude.billing.repository.AnthropicKeyRepository;
import dev.remoteclaude.billing.repository.AnthropicKeyRepository.StoredKey;
import dev.remoteclaude.common.crypto.SecretBox;
import dev.remoteclaude.common.crypto.SecretContexts;
import dev.remoteclaude.common.events.AnthropicKeyChanged;
import dev.remoteclaude.common.outbox.Outbox;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * Users' own Anthropic API keys: sealed at rest with the platform's secret key ({@link
 * SecretContexts#userAnthropicKey}) and sent, still sealed, to the gateway's model proxy as {@code
 * billing.anthropic-key-changed}; the proxy sends the user's model requests with it. The key is
 * never answered, logged or sent in clear. Tokens spent on it are metered at no price.
 */
@ApplicationScoped
public class AnthropicKeyService {

  /** What the user is shown of their key. */
  public record KeyInfo(String last4, Instant setAt) {}

  private final AnthropicKeyRepository keys;
  private final SecretBox secrets;
  private final Outbox outbox;

  public AnthropicKeyService(AnthropicKeyRepository keys, SecretBox secrets, Outbox outbox) {
    this.keys = keys;
    this.secrets = secrets;
    this.outbox = outbox;
  }

  /** The user's key, as shown: empty when none is set. */
  @WithSession
  public Uni<Optional<KeyInfo>> find(String userId) {
    return keys.find(userId).map(k -> k.map(s -> new KeyInfo(s.last4(), s.setAt())));
  }

  /** Seals and stores the user's key (replacing theirs, if any) and sends it to the gateway. */
  @WithTransaction
  public Uni<KeyInfo> set(String userId, String apiKey) {
    String sealed = secrets.seal(apiKey, SecretContexts.userAnthropicKey(userId));
    String last4 = apiKey.substring(apiKey.length() - 4);
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    return keys.store(userId, new StoredKey(sealed, last4, now))
        .chain(() -> outbox.emit(new AnthropicKeyChanged(sealed, last4, now), userId, userId))
        .invoke(() -> Log.infof("user %s set their own Anthropic key", userId))
        .replaceWith(new KeyInfo(last4, now));
  }

  /** Removes the user's key (the platform's is used again); nothing happens without one. */
  @WithTransaction
  public Uni<Void> remove(String userId) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    return keys.delete(userId)
        .chain(
            removed ->
                removed
                    ? outbox
                        .emit(new AnthropicKeyChanged(null, null, now), userId, userId)
                        .invoke(() -> Log.infof("user %s removed their own Anthropic key", userId))
                        .replaceWithVoid()
                    : Uni.createFrom().voidItem());
  }
}
