package dev.remoteclaude.billing.repository;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Which provider each session's sandbox runs on ({@code session_provider}). */
@ApplicationScoped
public class SessionProviderRepository {

  public Uni<Void> store(UUID sessionId, String provider) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery(
                        "INSERT INTO session_provider (session_id, provider) VALUES (?1, ?2)"
                            + " ON CONFLICT (session_id) DO UPDATE SET provider = EXCLUDED.provider")
                    .setParameter(1, sessionId)
                    .setParameter(2, provider)
                    .executeUpdate())
        .replaceWithVoid();
  }

  public Uni<Optional<String>> find(UUID sessionId) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery(
                        "SELECT provider FROM session_provider WHERE session_id = ?1", String.class)
                    .setParameter(1, sessionId)
                    .getResultList())
        .map(List::stream)
        .map(java.util.stream.Stream::findFirst);
  }
}
