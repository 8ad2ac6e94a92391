package dev.remoteclaude.common.git;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Git settings the session service and the gateway must agree on ({@code rc.git.*}), so each is set
 * once for both.
 */
@ConfigMapping(prefix = "rc.git")
public interface GitConfig {

  /**
   * A session's working branch is {@code <prefix><first 8 characters of its id>}: the gateway's git
   * proxy lets its sandbox push there, and the session service refuses to create a session on
   * another's working branch.
   */
  @WithDefault("claude/")
  String branchPrefix();
}
