package dev.remoteclaude.gateway.sandbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.remoteclaude.common.crypto.SecretBox;
import dev.remoteclaude.common.crypto.SecretContexts;
import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.common.events.SessionRequested;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The session's request as session-service sent it (environment values and git credential still
 * sealed), kept for the sandbox's life: every process of the sandbox gets its environment, and a
 * re-provisioning starts from it. Secrets are opened only at the moment a process needs them.
 */
@ApplicationScoped
public class SandboxRequests {

  private final SecretBox secrets;
  private final SandboxRequestRepository repository;

  public SandboxRequests(SecretBox secrets, SandboxRequestRepository repository) {
    this.secrets = secrets;
    this.repository = repository;
  }

  /** Stores (or replaces) the request; inside a transaction. */
  public Uni<Void> save(UUID sessionId, SessionRequested request) {
    String json;
    try {
      json = EventCodec.mapper().writeValueAsString(request);
    } catch (JsonProcessingException e) {
      return Uni.createFrom().failure(e);
    }
    return repository.save(sessionId, json);
  }

  /** Forgets the request (the sandbox ended); inside a transaction. */
  public Uni<Void> forget(UUID sessionId) {
    return repository.delete(sessionId);
  }

  /** The stored request. */
  public Uni<Optional<SessionRequested>> find(UUID sessionId) {
    return repository.find(sessionId).map(json -> json.map(SandboxRequests::parse));
  }

  static SessionRequested parse(String json) {
    try {
      return EventCodec.mapper().readValue(json, SessionRequested.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored session request is unreadable", e);
    }
  }

  /** The session's environment variables, opened. Never log the result. */
  public Map<String, String> environment(UUID sessionId, SessionRequested request) {
    Map<String, String> env = new LinkedHashMap<>();
    if (request.environment() != null) {
      request
          .environment()
          .forEach(
              (name, sealedValue) ->
                  env.put(
                      name,
                      secrets.open(
                          sealedValue, SecretContexts.sessionEnvironment(sessionId, name))));
    }
    return env;
  }

  /** The git token, opened, if the session has one. */
  public Optional<String> gitToken(UUID sessionId, SessionRequested request) {
    if (request.gitCredential() == null || request.gitCredential().isBlank()) {
      return Optional.empty();
    }
    return Optional.of(
        secrets.open(request.gitCredential(), SecretContexts.sessionGitCredential(sessionId)));
  }
}
