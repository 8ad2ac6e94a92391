package dev.remoteclaude.gateway.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The session git endpoints: who a commit made through the API is by when the sandbox's git has no
 * identity of its own ({@code user.name}/{@code user.email} unset).
 */
@ConfigMapping(prefix = "gateway.git.committer")
public interface GitConfig {

  @WithDefault("Remote Claude")
  String name();

  @WithDefault("claude@remote-claude.invalid")
  String email();
}
