package dev.remoteclaude.gateway.model;

import dev.remoteclaude.gateway.work.SafeContext;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.UUID;

/** What a task run needs to reach the model: the proxy's URL and a token of its own. */
@ApplicationScoped
public class ModelAccess {

  private final ModelTokenRepository tokens;
  private final ModelProxy proxy;

  public ModelAccess(ModelTokenRepository tokens, ModelProxy proxy) {
    this.tokens = tokens;
    this.proxy = proxy;
  }

  /** The URL sandboxes reach the proxy at (their ANTHROPIC_BASE_URL). */
  public String sandboxUrl() {
    return proxy.sandboxUrl();
  }

  /** A new token for a run of {@code taskId}, valid for {@code ttl} unless revoked before. */
  public Uni<String> open(UUID sessionId, String ownerId, UUID taskId, Duration ttl) {
    return SafeContext.run(
        () -> Panache.withTransaction(() -> tokens.mint(sessionId, ownerId, taskId, ttl)));
  }

  /** Ends the tokens of the runs of {@code taskId}. */
  public Uni<Void> close(UUID taskId) {
    proxy.forget(taskId);
    return SafeContext.run(() -> Panache.withTransaction(() -> tokens.revoke(taskId)));
  }
}
