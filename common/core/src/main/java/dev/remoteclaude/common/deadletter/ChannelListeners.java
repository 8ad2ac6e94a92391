package dev.remoteclaude.common.deadletter;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * This service's own consumers, found by the topic they read: every {@code @Incoming} method that
 * takes the raw record ({@code Uni<Void> on(String raw)}, the inbox consumer's shape). A replayed
 * dead letter goes through the very method that gave up on it (the inbox's retries and idempotency
 * included), and reaches this service only: no other service's consumer sees it again, and no
 * service writes a topic it does not own.
 */
@ApplicationScoped
public class ChannelListeners {

  /** A consumer of a topic: hand it a raw record, it answers when the record is handled. */
  public interface Listener {
    Uni<Void> handle(String raw);
  }

  private final BeanManager beans;
  private final Config config;

  public ChannelListeners(BeanManager beans, Config config) {
    this.beans = beans;
    this.config = config;
  }

  /** The consumer of this service that reads {@code topic}, if there is one. */
  public Optional<Listener> forTopic(String topic) {
    for (Bean<?> bean : beans.getBeans(Object.class, Any.Literal.INSTANCE)) {
      Class<?> type = bean.getBeanClass();
      Method[] methods;
      try {
        methods = type.getMethods();
      } catch (LinkageError optionalDependencyMissing) {
        continue;
      }
      for (Method method : methods) {
        Incoming incoming = method.getAnnotation(Incoming.class);
        if (incoming == null
            || method.getParameterCount() != 1
            || method.getParameterTypes()[0] != String.class
            || !Uni.class.isAssignableFrom(method.getReturnType())) {
          continue;
        }
        String channelTopic =
            config
                .getOptionalValue(
                    "mp.messaging.incoming." + incoming.value() + ".topic", String.class)
                .orElse(incoming.value());
        if (channelTopic.equals(topic)) {
          Object instance = beans.getReference(bean, type, beans.createCreationalContext(bean));
          return Optional.of(raw -> invoke(method, instance, raw));
        }
      }
    }
    return Optional.empty();
  }

  private static Uni<Void> invoke(Method method, Object instance, String raw) {
    try {
      return ((Uni<?>) method.invoke(instance, raw)).replaceWithVoid();
    } catch (InvocationTargetException e) {
      return Uni.createFrom().failure(e.getCause());
    } catch (IllegalAccessException e) {
      return Uni.createFrom().failure(e);
    }
  }
}
