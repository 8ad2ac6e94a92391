package dev.remoteclaude.gateway.work;

import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.function.Supplier;

/**
 * Runs reactive work that uses Hibernate Reactive from places that are not on a suitable Vert.x
 * context (process reader threads, timers): each job gets a fresh, safe duplicated context.
 */
@ApplicationScoped
public class VertxJobs {

  private final Vertx vertx;

  public VertxJobs(Vertx vertx) {
    this.vertx = vertx;
  }

  public <T> Uni<T> onContext(Supplier<Uni<T>> work) {
    return Uni.createFrom()
        .emitter(
            emitter -> {
              Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
              VertxContextSafetyToggle.setContextSafe(context, true);
              context.runOnContext(
                  ignored -> {
                    try {
                      work.get().subscribe().with(emitter::complete, emitter::fail);
                    } catch (RuntimeException e) {
                      emitter.fail(e);
                    }
                  });
            });
  }
}
