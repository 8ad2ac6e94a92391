package dev.remoteclaude.gateway.sandbox;

import dev.remoteclaude.gateway.config.GatewayConfig;
import dev.remoteclaude.gateway.provider.ProvidedSandbox;
import dev.remoteclaude.gateway.provider.ProviderCalls;
import dev.remoteclaude.gateway.work.SafeContext;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Frees what providers hold for sandboxes the gateway no longer knows: a gateway that died between
 * creating a sandbox and recording its id, a terminate that failed, a sandbox that failed or was
 * lost and came back. Only sandboxes older than {@code gateway.orphans.grace} are collected, so one
 * being created right now (its id not yet recorded) is never touched. Deleting is idempotent, so
 * replicas collecting at once do no harm.
 */
@ApplicationScoped
public class OrphanCollector {

  private final SandboxRepository sandboxes;
  private final ProviderCalls providers;
  private final GatewayConfig config;

  public OrphanCollector(
      SandboxRepository sandboxes, ProviderCalls providers, GatewayConfig config) {
    this.sandboxes = sandboxes;
    this.providers = providers;
    this.config = config;
  }

  @Scheduled(
      every = "${gateway.orphans.interval:10m}",
      delayed = "${gateway.orphans.interval:10m}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  Uni<Void> scheduled() {
    return SafeContext.run(() -> collect(Instant.now()).replaceWithVoid())
        .onFailure()
        .recoverWithItem(
            failure -> {
              Log.warnf("orphan collection failed: %s", failure.getMessage());
              return null;
            });
  }

  /** Terminates every orphan older than the grace period; returns the ids it terminated. */
  public Uni<List<String>> collect(Instant now) {
    Instant before = now.minus(config.orphans().grace());
    return Multi.createFrom()
        .iterable(providers.names())
        .onItem()
        .transformToUniAndConcatenate(name -> collect(name, before))
        .collect()
        .asList()
        .map(lists -> lists.stream().flatMap(List::stream).toList());
  }

  /** Terminates one provider's orphans older than the grace period; returns their ids. */
  public Uni<List<String>> collect(Instant now, String provider) {
    return collect(provider, now.minus(config.orphans().grace()));
  }

  private Uni<List<String>> collect(String provider, Instant before) {
    return providers
        .list(provider)
        .chain(
            held ->
                Panache.withSession(() -> sandboxes.knownProviderIds(provider))
                    .map(known -> orphans(held, known, before)))
        .chain(
            orphans ->
                Multi.createFrom()
                    .iterable(orphans)
                    .onItem()
                    .transformToUniAndConcatenate(
                        id ->
                            providers
                                .terminate(provider, id)
                                .invoke(
                                    () ->
                                        Log.infof(
                                            "orphaned %s sandbox %s terminated", provider, id))
                                .replaceWith(id)
                                .onFailure()
                                .recoverWithItem(
                                    failure -> {
                                      Log.warnf(
                                          "orphaned %s sandbox %s not terminated: %s",
                                          provider, id, failure.getMessage());
                                      return null;
                                    }))
                    .filter(id -> id != null)
                    .collect()
                    .asList())
        .onFailure()
        .recoverWithItem(
            failure -> {
              Log.warnf("cannot list %s sandboxes: %s", provider, failure.getMessage());
              return List.of();
            });
  }

  static List<String> orphans(List<ProvidedSandbox> held, Set<String> known, Instant before) {
    return held.stream()
        .filter(s -> !known.contains(s.id()))
        .filter(s -> s.createdAt().isBefore(before))
        .map(ProvidedSandbox::id)
        .toList();
  }
}
