package dev.remoteclaude.session.service;

import dev.remoteclaude.common.crypto.SecretBox;
import dev.remoteclaude.common.crypto.SecretContexts;
import dev.remoteclaude.common.events.RepositoryRegistered;
import dev.remoteclaude.common.events.RepositoryRemoved;
import dev.remoteclaude.common.events.RepositoryUpdated;
import dev.remoteclaude.common.net.RepositoryUrls;
import dev.remoteclaude.common.problem.ProblemException;
import dev.remoteclaude.session.KnownRepository;
import dev.remoteclaude.session.repository.KnownRepositoryRepository;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * The repositories users registered (repository-service's events): a session on one, named by id or
 * by a URL that matches it, is cloned with the repository's credential, sealed again for the
 * session. The credential is opened only for that, never logged.
 */
@ApplicationScoped
public class RegisteredRepositories {

  private final KnownRepositoryRepository repositories;
  private final SecretBox secrets;

  public RegisteredRepositories(KnownRepositoryRepository repositories, SecretBox secrets) {
    this.repositories = repositories;
    this.secrets = secrets;
  }

  /** A repository was registered; inside the inbox's transaction. */
  public Uni<Void> registered(String ownerId, RepositoryRegistered event, Instant occurredAt) {
    return store(
        known(
            event.repositoryId(),
            ownerId,
            event.url(),
            event.normalizedUrl(),
            event.defaultBranch(),
            event.credential(),
            event.at() != null ? event.at() : occurredAt));
  }

  /** A repository changed; inside the inbox's transaction. */
  public Uni<Void> updated(String ownerId, RepositoryUpdated event, Instant occurredAt) {
    return store(
        known(
            event.repositoryId(),
            ownerId,
            event.url(),
            event.normalizedUrl(),
            event.defaultBranch(),
            event.credential(),
            event.at() != null ? event.at() : occurredAt));
  }

  /** A repository was removed; inside the inbox's transaction. */
  public Uni<Void> removed(String ownerId, RepositoryRemoved event) {
    Log.debugf("repository %s of user %s removed", event.repositoryId(), ownerId);
    return repositories.forget(event.repositoryId(), ownerId);
  }

  /** The caller's registered repository; 400 naming {@code repositoryId} when there is none. */
  @WithSession
  public Uni<KnownRepository> find(String ownerId, UUID id) {
    return repositories
        .findOwned(ownerId, id)
        .onItem()
        .ifNull()
        .failWith(
            () ->
                ProblemException.badRequest(
                    "repositoryId", "no repository " + id + " is registered"));
  }

  /**
   * The credential of the caller's repository registered under {@code url} (normalized), sealed for
   * the session; empty when none is registered or it has no credential.
   */
  Uni<Optional<String>> credentialFor(String ownerId, String url, UUID sessionId) {
    return repositories
        .findByNormalizedUrl(ownerId, RepositoryUrls.normalize(url))
        .map(
            repository -> {
              if (repository == null || repository.sealedCredential == null) {
                return Optional.empty();
              }
              String token;
              try {
                token =
                    secrets.open(
                        repository.sealedCredential,
                        SecretContexts.repositoryCredential(repository.id));
              } catch (SecretBox.SecretException e) {
                Log.warnf(
                    "the credential of repository %s cannot be opened (%s); the session clones"
                        + " without it",
                    repository.id, e.getMessage());
                return Optional.empty();
              }
              return Optional.of(
                  secrets.seal(token, SecretContexts.sessionGitCredential(sessionId)));
            });
  }

  private Uni<Void> store(KnownRepository repository) {
    Log.debugf("repository %s of user %s stored", repository.id, repository.ownerId);
    return repositories.store(repository);
  }

  private static KnownRepository known(
      UUID id,
      String ownerId,
      String url,
      String normalizedUrl,
      String defaultBranch,
      String sealedCredential,
      Instant asOf) {
    KnownRepository repository = new KnownRepository();
    repository.id = id;
    repository.ownerId = ownerId;
    repository.url = url;
    repository.normalizedUrl =
        normalizedUrl != null ? normalizedUrl : RepositoryUrls.normalize(url);
    repository.defaultBranch = defaultBranch;
    repository.sealedCredential = sealedCredential;
    repository.asOf = asOf;
    return repository;
  }
}
