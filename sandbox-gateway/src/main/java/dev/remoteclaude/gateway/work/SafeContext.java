package dev.remoteclaude.gateway.work;

import io.quarkus.arc.Arc;
import io.quarkus.arc.Unremovable;
import io.quarkus.vertx.SafeVertxContext;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.function.Supplier;

/**
 * Runs reactive work that uses Hibernate Reactive from places that are not on a suitable Vert.x
 * context (process reader threads, timers, notification handlers, other work's callbacks): each
 * call gets a new duplicated context, which Quarkus' public {@link SafeVertxContext} interceptor
 * marks safe, and never blocks its caller.
 */
@ApplicationScoped
@Unremovable // looked up programmatically by the static entry point
public class SafeContext {

  private static volatile SafeContext instance;

  private final Vertx vertx;

  public SafeContext(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Runs {@code work} on a new safe duplicated context; the result is emitted from there. */
  public static <T> Uni<T> run(Supplier<Uni<T>> work) {
    SafeContext safe = instance;
    if (safe == null) {
      safe = Arc.container().instance(SafeContext.class).get();
      instance = safe;
    }
    SafeContext entry = safe;
    return Uni.createFrom()
        .emitter(emitter -> entry.newContext().runOnContext(ignored -> entry.enter(work, emitter)));
  }

  Context newContext() {
    return VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
  }

  /** Called through the bean's proxy, on the new context, so that the interceptor marks it safe. */
  @SafeVertxContext
  <T> void enter(Supplier<Uni<T>> work, UniEmitter<? super T> emitter) {
    try {
      work.get().subscribe().with(emitter::complete, emitter::fail);
    } catch (RuntimeException e) {
      emitter.fail(e);
    }
  }
}
