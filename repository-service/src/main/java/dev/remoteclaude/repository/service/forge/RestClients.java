package dev.remoteclaude.repository.service.forge;

import dev.remoteclaude.repository.config.RepositoryConfig;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** One declarative REST client per forge API base (a host's API), built once and kept. */
final class RestClients<T> {

  private final Class<T> type;
  private final Duration timeout;
  private final Map<URI, T> clients = new ConcurrentHashMap<>();

  RestClients(Class<T> type, RepositoryConfig config) {
    this.type = type;
    this.timeout = config.forges().timeout();
  }

  T of(URI apiBase) {
    return clients.computeIfAbsent(
        apiBase,
        base ->
            QuarkusRestClientBuilder.newBuilder()
                .baseUri(base)
                .connectTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .followRedirects(false)
                .build(type));
  }
}
