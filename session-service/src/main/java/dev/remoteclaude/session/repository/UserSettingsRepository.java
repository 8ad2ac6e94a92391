package dev.remoteclaude.session.repository;

import dev.remoteclaude.session.UserSettings;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import jakarta.enterprise.context.ApplicationScoped;

/** Users' settings, by user id. */
@ApplicationScoped
@WithSession
public class UserSettingsRepository implements PanacheRepositoryBase<UserSettings, String> {}
