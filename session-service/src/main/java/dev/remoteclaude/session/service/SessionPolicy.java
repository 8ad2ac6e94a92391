package dev.remoteclaude.session.service;

import dev.remoteclaude.common.net.RepositoryUrlPolicy;
import dev.remoteclaude.common.problem.ProblemException;
import dev.remoteclaude.session.config.SessionConfig;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The rules a session request must follow that depend on configuration: allowed providers and
 * regions, timeout ranges, repository URLs, environment names and size. Each failure is a 400
 * naming the field; no message ever repeats an environment value.
 */
@ApplicationScoped
public class SessionPolicy {

  static final int MAX_ENVIRONMENT = 100;
  static final int MAX_ENV_VALUE = 32 * 1024;
  static final int MAX_SETUP_COMMANDS = 20;
  static final int MAX_SETUP_COMMAND = 4096;

  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

  /**
   * Names the platform sets for Claude Code or that change how programs load and connect (the model
   * proxy's URL and token, the dynamic linker, Node's options): a session may not set them.
   */
  private static final Pattern RESERVED_ENV_NAME =
      Pattern.compile(
          "(ANTHROPIC_|CLAUDE_|LD_|DYLD_).*|NODE_OPTIONS|NODE_EXTRA_CA_CERTS"
              + "|NODE_TLS_REJECT_UNAUTHORIZED|DISABLE_TELEMETRY|DISABLE_ERROR_REPORTING"
              + "|DISABLE_AUTOUPDATER",
          Pattern.CASE_INSENSITIVE);

  private final SessionConfig config;
  private final RepositoryUrlPolicy urls;

  public SessionPolicy(SessionConfig config, RepositoryUrlPolicy urls) {
    this.config = config;
    this.urls = urls;
  }

  /** The request with its defaults applied, or a 400. */
  public Uni<NewSession> validate(NewSession request) {
    NewSession session;
    try {
      session = normalise(request);
    } catch (ProblemException e) {
      return Uni.createFrom().failure(e);
    }
    return urls.check(session.repositoryUrl()).replaceWith(session);
  }

  /** Checks the length of one extension. */
  public void checkExtension(Duration duration) {
    Duration min = config.lifetime().extendMin();
    Duration max = config.lifetime().extendMax();
    if (duration == null) {
      throw ProblemException.badRequest("duration", "is required");
    }
    if (duration.compareTo(min) < 0 || duration.compareTo(max) > 0) {
      throw ProblemException.badRequest("duration", between(min, max));
    }
  }

  private NewSession normalise(NewSession request) {
    String provider =
        request.provider() == null || request.provider().isBlank()
            ? config.providers().defaultProvider()
            : request.provider().strip();
    if (!config.providers().allowed().contains(provider)) {
      throw ProblemException.badRequest(
          "provider", "must be one of " + new TreeSet<>(config.providers().allowed()));
    }
    String region = region(request.region());
    Duration idle =
        inRange(
            "idleTimeout",
            request.idleTimeout(),
            config.idle().defaultTimeout(),
            config.idle().minTimeout(),
            config.idle().maxTimeout());
    Duration lifetime =
        inRange(
            "maxLifetime",
            request.maxLifetime(),
            config.lifetime().defaultMax(),
            config.lifetime().min(),
            config.lifetime().max());
    Map<String, String> environment =
        request.environment() == null ? Map.of() : new LinkedHashMap<>(request.environment());
    if (environment.size() > MAX_ENVIRONMENT) {
      throw ProblemException.badRequest(
          "environment", "may hold at most " + MAX_ENVIRONMENT + " variables");
    }
    long totalBytes = 0;
    for (Map.Entry<String, String> variable : environment.entrySet()) {
      if (variable.getKey() == null || !ENV_NAME.matcher(variable.getKey()).matches()) {
        throw ProblemException.badRequest(
            "environment",
            "variable names are letters, digits and underscores, not starting with a digit");
      }
      if (RESERVED_ENV_NAME.matcher(variable.getKey()).matches()) {
        throw ProblemException.badRequest(
            "environment." + variable.getKey(),
            "is reserved: the platform sets it for Claude Code (ANTHROPIC_*, CLAUDE_*, LD_*,"
                + " DYLD_*, NODE_OPTIONS and the like cannot be set by a session)");
      }
      if (variable.getValue() == null) {
        throw ProblemException.badRequest("environment." + variable.getKey(), "must have a value");
      }
      if (variable.getValue().length() > MAX_ENV_VALUE) {
        throw ProblemException.badRequest(
            "environment." + variable.getKey(), "must be at most " + MAX_ENV_VALUE + " characters");
      }
      totalBytes += utf8Length(variable.getKey()) + utf8Length(variable.getValue());
    }
    int maxTotal = config.environment().maxTotalBytes();
    if (totalBytes > maxTotal) {
      throw ProblemException.badRequest(
          "environment",
          "names and values may total at most "
              + maxTotal
              + " bytes (UTF-8); these total "
              + totalBytes);
    }
    List<String> setup =
        request.setupCommands() == null ? List.of() : new ArrayList<>(request.setupCommands());
    if (setup.size() > MAX_SETUP_COMMANDS) {
      throw ProblemException.badRequest(
          "setupCommands", "may hold at most " + MAX_SETUP_COMMANDS + " commands");
    }
    for (int i = 0; i < setup.size(); i++) {
      String command = setup.get(i);
      if (command == null || command.isBlank()) {
        throw ProblemException.badRequest("setupCommands[" + i + "]", "must not be blank");
      }
      if (command.length() > MAX_SETUP_COMMAND) {
        throw ProblemException.badRequest(
            "setupCommands[" + i + "]", "must be at most " + MAX_SETUP_COMMAND + " characters");
      }
    }
    String branch =
        request.branch() == null || request.branch().isBlank() ? null : request.branch().strip();
    return new NewSession(
        request.repositoryUrl().strip(),
        branch,
        provider,
        idle,
        lifetime,
        environment,
        List.copyOf(setup),
        region);
  }

  /** The region asked for (null when none), or a 400 when it is not one of the platform's. */
  private String region(String asked) {
    if (asked == null || asked.isBlank()) {
      return null;
    }
    Set<String> regions = config.providers().regions().orElse(Set.of());
    String region = asked.strip();
    if (!regions.contains(region)) {
      throw ProblemException.badRequest(
          "region",
          regions.isEmpty()
              ? "is not offered: this platform has no regions to choose from"
              : "must be one of " + new TreeSet<>(regions));
    }
    return region;
  }

  private static long utf8Length(String text) {
    return text.getBytes(StandardCharsets.UTF_8).length;
  }

  private static Duration inRange(
      String field, Duration value, Duration fallback, Duration min, Duration max) {
    Duration chosen = value == null ? fallback : value;
    if (chosen.compareTo(min) < 0 || chosen.compareTo(max) > 0) {
      throw ProblemException.badRequest(field, between(min, max));
    }
    return chosen;
  }

  private static String between(Duration min, Duration max) {
    return "must be between " + min + " and " + max;
  }
}
