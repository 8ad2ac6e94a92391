package dev.remoteclaude.api;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A repository's new webhook secret, shown once: give both to the forge's webhook settings. */
@Schema(name = "WebhookSecret")
public record WebhookSecretView(
    @Schema(description = "the secret the forge signs deliveries with; shown only now")
        String secret,
    @Schema(
            description = "the path of the webhook, under the platform's base URL",
            examples = "/api/v1/webhooks/github/3f0e...")
        String path) {

  @Override
  public String toString() {
    return "WebhookSecretView[path=" + path + "]";
  }
}
