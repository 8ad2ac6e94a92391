package dev.remoteclaude.testing;

import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Runs reactive work (Hibernate Reactive Panache needs a safe Vert.x context) from a test thread
 * and waits for its result, through Quarkus' public {@link VertxContextSupport}.
 */
public final class OnVertx {
  private OnVertx() {}

  public static <T> T await(Supplier<Uni<T>> work) {
    return await(work, Duration.ofSeconds(60));
  }

  public static <T> T await(Supplier<Uni<T>> work, Duration timeout) {
    try {
      return VertxContextSupport.subscribeAndAwait(
          () -> work.get().ifNoItem().after(timeout).fail());
    } catch (RuntimeException e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }
}
