package dev.remoteclaude.billing.rest;

import dev.remoteclaude.billing.service.AnthropicKeyService;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Instant;
import java.util.Optional;

/** What the Anthropic key endpoints take and answer; the key itself is never answered. */
public final class AnthropicKeyViews {

  private AnthropicKeyViews() {}

  /**
   * The user's own Anthropic API key (write-only).
   *
   * @param apiKey an Anthropic API key: {@code sk-ant-} then 20 to 250 letters, digits, '-' or '_'
   */
  public record SetKey(
      @NotNull(message = "is required")
          @Pattern(
              regexp = "sk-ant-[A-Za-z0-9_-]{20,250}",
              message = "must be an Anthropic API key (sk-ant- followed by its characters)")
          String apiKey) {

    @Override
    public String toString() {
      return "SetKey[apiKey=<redacted>]";
    }
  }

  /**
   * Whether the caller has a key of their own and, if so, its last four characters and when it was
   * set.
   */
  public record KeyView(boolean set, String last4, Instant setAt) {

    static KeyView of(Optional<AnthropicKeyService.KeyInfo> info) {
      return info.map(i -> new KeyView(true, i.last4(), i.setAt()))
          .orElse(new KeyView(false, null, null));
    }
  }
}
