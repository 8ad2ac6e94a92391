package dev.remoteclaude.common.audit;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The audit trail's switch in every service ({@code rc.audit.*}). */
@ConfigMapping(prefix = "rc.audit")
public interface AuditConfig {

  /** Whether the service records its users' actions on the audit trail. */
  @WithDefault("true")
  boolean enabled();
}
