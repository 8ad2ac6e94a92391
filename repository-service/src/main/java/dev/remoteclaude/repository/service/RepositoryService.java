package dev.remoteclaude.repository.service;

import dev.remoteclaude.api.Forge;
import dev.remoteclaude.api.GitCredential;
import dev.remoteclaude.api.RegisterRepositoryRequest;
import dev.remoteclaude.api.UpdateRepositoryRequest;
import dev.remoteclaude.common.crypto.SecretBox;
import dev.remoteclaude.common.crypto.SecretContexts;
import dev.remoteclaude.common.events.Event;
import dev.remoteclaude.common.events.RepositoryRegistered;
import dev.remoteclaude.common.events.RepositoryRemoved;
import dev.remoteclaude.common.events.RepositoryUpdated;
import dev.remoteclaude.common.net.RepositoryUrlPolicy;
import dev.remoteclaude.common.net.RepositoryUrls;
import dev.remoteclaude.common.outbox.Outbox;
import dev.remoteclaude.common.problem.ProblemException;
import dev.remoteclaude.repository.Repository;
import dev.remoteclaude.repository.repository.RepositoryRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * A user's registered repositories: register, read, change, remove. The credential is sealed before
 * it is stored ({@link SecretContexts#repositoryCredential}) and leaves only sealed, in the
 * repository's events (emitted through the outbox in the same transaction as the change).
 */
@ApplicationScoped
public class RepositoryService {

  static final String DEFAULT_BRANCH = "main";
  static final int MAX_TOKEN_LENGTH = 4096;

  private final RepositoryRepository repositories;
  private final RepositoryUrlPolicy urls;
  private final SecretBox secrets;
  private final Outbox outbox;

  public RepositoryService(
      RepositoryRepository repositories,
      RepositoryUrlPolicy urls,
      SecretBox secrets,
      Outbox outbox) {
    this.repositories = repositories;
    this.urls = urls;
    this.secrets = secrets;
    this.outbox = outbox;
  }

  /** Registers a repository; 409 when the owner registered the same (normalized) URL already. */
  public Uni<Repository> register(String ownerId, RegisterRepositoryRequest request) {
    String url = request.url().strip();
    String normalized = RepositoryUrls.normalize(url);
    return Uni.createFrom()
        .voidItem()
        .invoke(() -> checkCredential(request.credential()))
        .chain(() -> urls.check(url))
        .map(ignored -> forge(request.forge(), url))
        .chain(
            forge ->
                Panache.withTransaction(
                    () ->
                        repositories
                            .findByNormalizedUrl(ownerId, normalized)
                            .chain(
                                existing -> {
                                  if (existing != null) {
                                    throw duplicate(existing);
                                  }
                                  Repository repository =
                                      newRepository(ownerId, url, normalized, forge, request);
                                  return repositories
                                      .persistAndFlush(repository)
                                      .call(() -> emit(repository, registered(repository)))
                                      .replaceWith(repository);
                                })))
        .onFailure(RepositoryRepository::isDuplicate)
        .transform(e -> ProblemException.conflict("the repository " + url + " is registered"));
  }

  @WithSession
  public Uni<Repository> get(String ownerId, UUID id) {
    return repositories.findOwned(ownerId, id).onItem().ifNull().failWith(() -> notFound(id));
  }

  @WithSession
  public Uni<List<Repository>> list(String ownerId, int page, int size) {
    return repositories.listOwnedBy(ownerId, page, size);
  }

  /** Applies the changes the request names; another user's repository is a 404. */
  @WithTransaction
  public Uni<Repository> update(String ownerId, UUID id, UpdateRepositoryRequest request) {
    boolean remove = Boolean.TRUE.equals(request.removeCredential());
    if (remove && request.credential() != null) {
      return Uni.createFrom()
          .failure(
              ProblemException.badRequest(
                  "removeCredential", "cannot be given together with credential"));
    }
    try {
      checkCredential(request.credential());
    } catch (ProblemException e) {
      return Uni.createFrom().failure(e);
    }
    return repositories
        .findOwned(ownerId, id)
        .onItem()
        .ifNull()
        .failWith(() -> notFound(id))
        .chain(
            repository -> {
              Instant now = now();
              if (request.forge() != null) {
                repository.forge = parseForge(request.forge());
              }
              if (request.defaultBranch() != null) {
                repository.defaultBranch = request.defaultBranch();
              }
              if (request.credential() != null) {
                setCredential(repository, request.credential(), now);
              } else if (remove) {
                repository.sealedCredential = null;
                repository.credentialSetAt = null;
              }
              repository.updatedAt = now;
              return emit(repository, updated(repository)).replaceWith(repository);
            });
  }

  /** Removes the repository and its credential; another user's repository is a 404. */
  @WithTransaction
  public Uni<Void> remove(String ownerId, UUID id) {
    return repositories
        .findOwned(ownerId, id)
        .onItem()
        .ifNull()
        .failWith(() -> notFound(id))
        .call(repository -> repositories.delete(repository))
        .call(repository -> emit(repository, new RepositoryRemoved(repository.id, now())))
        .replaceWithVoid();
  }

  private Repository newRepository(
      String ownerId,
      String url,
      String normalized,
      Forge forge,
      RegisterRepositoryRequest request) {
    Instant now = now();
    Repository repository = new Repository();
    repository.id = UUID.randomUUID();
    repository.ownerId = ownerId;
    repository.url = url;
    repository.normalizedUrl = normalized;
    repository.defaultBranch =
        request.defaultBranch() == null || request.defaultBranch().isBlank()
            ? DEFAULT_BRANCH
            : request.defaultBranch();
    repository.forge = forge;
    if (request.credential() != null) {
      setCredential(repository, request.credential(), now);
    }
    repository.createdAt = now;
    repository.updatedAt = now;
    return repository;
  }

  /** A token is checked here: the nested record's constraints are not reached by validation. */
  static void checkCredential(GitCredential credential) {
    if (credential == null) {
      return;
    }
    String token = credential.token();
    if (token == null || token.isBlank()) {
      throw ProblemException.badRequest("credential.token", "must not be blank");
    }
    if (token.length() > MAX_TOKEN_LENGTH) {
      throw ProblemException.badRequest(
          "credential.token", "must be at most " + MAX_TOKEN_LENGTH + " characters");
    }
    if (token.strip().length() != token.length()
        || token.chars().anyMatch(Character::isISOControl)) {
      throw ProblemException.badRequest(
          "credential.token", "must not contain spaces around it or control characters");
    }
  }

  private void setCredential(Repository repository, GitCredential credential, Instant now) {
    repository.sealedCredential =
        secrets.seal(credential.token(), SecretContexts.repositoryCredential(repository.id));
    repository.credentialSetAt = now;
  }

  private Uni<Void> emit(Repository repository, Event event) {
    return outbox.emit(event, repository.id.toString(), repository.ownerId).replaceWithVoid();
  }

  private static RepositoryRegistered registered(Repository r) {
    return new RepositoryRegistered(
        r.id,
        r.url,
        r.normalizedUrl,
        r.defaultBranch,
        r.forge.name(),
        r.sealedCredential,
        r.credentialSetAt,
        r.updatedAt);
  }

  private static RepositoryUpdated updated(Repository r) {
    return new RepositoryUpdated(
        r.id,
        r.url,
        r.normalizedUrl,
        r.defaultBranch,
        r.forge.name(),
        r.sealedCredential,
        r.credentialSetAt,
        r.updatedAt);
  }

  /** The forge given, or the one the URL's host names; 400 naming {@code forge} otherwise. */
  static Forge forge(String given, String url) {
    if (given != null) {
      return parseForge(given);
    }
    String host;
    try {
      host = URI.create(url).getHost();
    } catch (IllegalArgumentException e) {
      host = null;
    }
    return Forge.detect(host)
        .orElseThrow(
            () ->
                ProblemException.badRequest(
                    "forge",
                    "cannot be told from the URL's host; give one of "
                        + Arrays.toString(Forge.values())));
  }

  private static Forge parseForge(String value) {
    try {
      return Forge.valueOf(value.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw ProblemException.badRequest(
          "forge", "must be one of " + Arrays.toString(Forge.values()));
    }
  }

  private static ProblemException duplicate(Repository existing) {
    return ProblemException.conflict(
        "the repository " + existing.url + " is registered already as " + existing.id);
  }

  private static ProblemException notFound(UUID id) {
    return ProblemException.notFound("repository " + id);
  }

  /** Microseconds, as PostgreSQL keeps them: what is returned equals what is read back. */
  private static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.MICROS);
  }
}
