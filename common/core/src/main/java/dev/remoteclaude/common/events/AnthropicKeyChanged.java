package dev.remoteclaude.common.events;

import java.time.Instant;

/**
 * A user set or removed their own Anthropic API key: the gateway's model proxy sends their
 * sessions' model requests with it. The key travels only sealed with the platform's secret key, in
 * the context {@code SecretContexts.userAnthropicKey(user)}, which the gateway also holds. Keyed
 * and subjected by the user id; a consumer keeps the newest by {@code at}.
 *
 * @param sealedKey the key, sealed; null when the user removed it
 * @param last4 the key's last four characters (what the user is shown), null when removed
 */
public record AnthropicKeyChanged(String sealedKey, String last4, Instant at) implements Event {

  @Override
  public String toString() {
    return "AnthropicKeyChanged[set=" + (sealedKey != null) + ", at=" + at + "]";
  }
}
