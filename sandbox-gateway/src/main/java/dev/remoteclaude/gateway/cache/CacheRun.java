package dev.remoteclaude.gateway.cache;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The dependency cache of one provisioning run: its key (none when the repository has no lockfile
 * or caching is off), the directory inside the sandbox the package managers are pointed at, and
 * whether an archive was restored there (a hit is not saved again).
 *
 * @param notice what the restore has to tell the session ({@code restored dependency cache (N MB)})
 */
public record CacheRun(
    Optional<CacheKey> key, String directory, boolean hit, Optional<Notice> notice) {

  /** No cache for this run. */
  public static final CacheRun NONE = new CacheRun(Optional.empty(), "", false, Optional.empty());

  /** A message for the session's stream. */
  public record Notice(String kind, String message, long bytes) {}

  /**
   * The setup commands' environment: the session's own variables, plus one per package manager
   * pointing it at its directory under the cache, unless the session set that variable itself.
   * Maven has no such variable: {@code -Dmaven.repo.local} is added to {@code MAVEN_OPTS}.
   */
  public Map<String, String> environment(Map<String, String> session) {
    Map<String, String> env = new LinkedHashMap<>(session);
    if (key.isEmpty()) {
      return env;
    }
    env.putIfAbsent("npm_config_cache", directory + "/npm");
    env.putIfAbsent("npm_config_store_dir", directory + "/pnpm");
    env.putIfAbsent("YARN_CACHE_FOLDER", directory + "/yarn");
    env.putIfAbsent("YARN_GLOBAL_FOLDER", directory + "/yarn-berry");
    env.putIfAbsent("PIP_CACHE_DIR", directory + "/pip");
    env.putIfAbsent("UV_CACHE_DIR", directory + "/uv");
    env.putIfAbsent("POETRY_CACHE_DIR", directory + "/poetry");
    env.putIfAbsent("GRADLE_USER_HOME", directory + "/gradle");
    env.putIfAbsent("CARGO_HOME", directory + "/cargo");
    env.putIfAbsent("GOMODCACHE", directory + "/go-mod");
    String maven = "-Dmaven.repo.local=" + directory + "/maven";
    String opts = env.get("MAVEN_OPTS");
    if (opts == null || opts.isBlank()) {
      env.put("MAVEN_OPTS", maven);
    } else if (!opts.contains("-Dmaven.repo.local=")) {
      env.put("MAVEN_OPTS", opts + " " + maven);
    }
    return env;
  }
}
