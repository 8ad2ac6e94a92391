package dev.remoteclaude.gateway.sandbox;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Sandboxes. Entity work goes through Hibernate Reactive; the reads on the request path (owner
 * checks, a command's sandbox and stored request) are single statements through the pool, outside
 * any Hibernate session.
 */
@ApplicationScoped
public class SandboxRepository implements PanacheRepositoryBase<Sandbox, UUID> {

  /** A sandbox as the request path reads it, with its stored request (JSON, or null). */
  public record Stored(Sandbox sandbox, String request) {}

  private final Pool pool;

  public SandboxRepository(Pool pool) {
    this.pool = pool;
  }

  /** The owner of a session's sandbox, or null; usable outside a Hibernate session (upgrades). */
  public Uni<String> ownerOf(UUID sessionId) {
    return pool.preparedQuery("SELECT owner_id FROM sandbox WHERE session_id = $1")
        .execute(Tuple.of(sessionId))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString(0));
  }

  /**
   * The sandbox's identity and state, and its stored request, in one query (what running a process
   * in it needs); the sandbox's other fields are left unset.
   */
  public Uni<Optional<Stored>> findWithRequest(UUID sessionId) {
    return pool.preparedQuery(
            "SELECT s.owner_id, s.provider, s.provider_id, s.state, r.request FROM sandbox s"
                + " LEFT JOIN sandbox_request r ON r.session_id = s.session_id"
                + " WHERE s.session_id = $1")
        .execute(Tuple.of(sessionId))
        .map(
            rows -> {
              if (rows.size() == 0) {
                return Optional.empty();
              }
              Row row = rows.iterator().next();
              Sandbox sandbox = new Sandbox();
              sandbox.sessionId = sessionId;
              sandbox.ownerId = row.getString("owner_id");
              sandbox.provider = row.getString("provider");
              sandbox.providerId = row.getString("provider_id");
              sandbox.state = SandboxState.valueOf(row.getString("state"));
              return Optional.of(new Stored(sandbox, row.getString("request")));
            });
  }

  /**
   * Records the provider's id of a sandbox being provisioned, in one statement of its own (no
   * Hibernate session), so recovery can find what to clean up.
   */
  public Uni<Void> recordProviderId(UUID sessionId, String providerId) {
    return pool.preparedQuery(
            "UPDATE sandbox SET provider_id = $2, updated_at = now() WHERE session_id = $1")
        .execute(Tuple.of(sessionId, providerId))
        .replaceWithVoid();
  }

  /** The provider the sandbox is being created at (provisioning failed over to it). */
  public Uni<Void> recordProvider(UUID sessionId, String provider) {
    return pool.preparedQuery(
            "UPDATE sandbox SET provider = $2, updated_at = now() WHERE session_id = $1")
        .execute(Tuple.of(sessionId, provider))
        .replaceWithVoid();
  }

  /** The sandbox, locked for the rest of the transaction. */
  public Uni<Sandbox> lock(UUID sessionId) {
    return findById(sessionId, LockModeType.PESSIMISTIC_WRITE);
  }

  /** Sandboxes that should exist at their provider (ready or paused). */
  /** The provider ids of a provider's sandboxes that are (or are becoming) in use. */
  public Uni<java.util.Set<String>> knownProviderIds(String provider) {
    return list(
            "provider = ?1 and providerId is not null and state in ?2",
            provider,
            List.of(SandboxState.PROVISIONING, SandboxState.READY, SandboxState.PAUSED))
        .map(
            found ->
                found.stream()
                    .map(s -> s.providerId)
                    .collect(java.util.stream.Collectors.toUnmodifiableSet()));
  }

  public Uni<List<Sandbox>> live() {
    return list("state in ?1", List.of(SandboxState.READY, SandboxState.PAUSED));
  }
}
