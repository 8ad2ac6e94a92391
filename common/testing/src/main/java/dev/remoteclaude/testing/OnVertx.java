package dev.remoteclaude.testing;

import io.quarkus.arc.Arc;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Runs reactive work (Hibernate Reactive Panache needs a safe Vert.x context) from a test thread
 * and waits for its result.
 */
public final class OnVertx {
  private OnVertx() {}

  public static <T> T await(Supplier<Uni<T>> work) {
    return await(work, Duration.ofSeconds(60));
  }

  public static <T> T await(Supplier<Uni<T>> work, Duration timeout) {
    Vertx vertx = Arc.container().instance(Vertx.class).get();
    Context context = VertxContext.getOrCreateDuplicatedContext(vertx);
    VertxContextSafetyToggle.setContextSafe(context, true);
    CompletableFuture<T> result = new CompletableFuture<>();
    context.runOnContext(
        ignored -> {
          try {
            work.get().subscribe().with(result::complete, result::completeExceptionally);
          } catch (RuntimeException e) {
            result.completeExceptionally(e);
          }
        });
    try {
      return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("reactive work did not finish within " + timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
