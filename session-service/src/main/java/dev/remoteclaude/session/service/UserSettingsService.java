package dev.remoteclaude.session.service;

import dev.remoteclaude.common.problem.ProblemException;
import dev.remoteclaude.session.Times;
import dev.remoteclaude.session.UserSettings;
import dev.remoteclaude.session.config.SessionConfig;
import dev.remoteclaude.session.repository.UserSettingsRepository;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.TreeSet;

/**
 * A user's own settings: their default provider, used when a create request names none (a provider
 * on the request wins). Only an allowed provider can be set; one that is no longer allowed is
 * passed over for the platform's default.
 */
@ApplicationScoped
public class UserSettingsService {

  private final UserSettingsRepository settings;
  private final SessionConfig config;

  public UserSettingsService(UserSettingsRepository settings, SessionConfig config) {
    this.settings = settings;
    this.config = config;
  }

  /** The user's settings; a user who never set any gets an unsaved empty one. */
  @WithSession
  public Uni<UserSettings> get(String userId) {
    return settings
        .findById(userId)
        .map(
            found -> {
              if (found != null) {
                return found;
              }
              UserSettings empty = new UserSettings();
              empty.userId = userId;
              return empty;
            });
  }

  /** Sets (or, with null or blank, clears) the user's default provider; 400 if not allowed. */
  @WithTransaction
  public Uni<UserSettings> setDefaultProvider(String userId, String provider) {
    String chosen = provider == null || provider.isBlank() ? null : provider.strip();
    if (chosen != null && !config.providers().allowed().contains(chosen)) {
      return Uni.createFrom()
          .failure(
              ProblemException.badRequest(
                  "defaultProvider", "must be one of " + allowedProviders()));
    }
    return settings
        .findById(userId)
        .chain(
            found -> {
              UserSettings row = found != null ? found : new UserSettings();
              row.userId = userId;
              row.defaultProvider = chosen;
              row.updatedAt = Times.now();
              return found != null ? Uni.createFrom().item(row) : settings.persist(row);
            });
  }

  /**
   * The provider a session gets: the request's, else the user's default (while it is allowed), else
   * null (the platform's default, applied by SessionPolicy).
   */
  @WithSession
  public Uni<NewSession> applyDefaultProvider(String userId, NewSession request) {
    if (request.provider() != null && !request.provider().isBlank()) {
      return Uni.createFrom().item(request);
    }
    return settings
        .findById(userId)
        .map(
            found ->
                found == null
                        || found.defaultProvider == null
                        || !config.providers().allowed().contains(found.defaultProvider)
                    ? request
                    : new NewSession(
                        request.repositoryUrl(),
                        request.branch(),
                        found.defaultProvider,
                        request.idleTimeout(),
                        request.maxLifetime(),
                        request.environment(),
                        request.setupCommands(),
                        request.region()));
  }

  /** What a request naming no provider gets with these settings. */
  public String effectiveDefault(UserSettings user) {
    return user.defaultProvider != null
            && config.providers().allowed().contains(user.defaultProvider)
        ? user.defaultProvider
        : config.providers().defaultProvider();
  }

  public List<String> allowedProviders() {
    return List.copyOf(new TreeSet<>(config.providers().allowed()));
  }
}
