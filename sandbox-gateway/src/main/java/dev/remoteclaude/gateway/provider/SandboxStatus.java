package dev.remoteclaude.gateway.provider;

/** What the provider says of a sandbox. */
public enum SandboxStatus {
  RUNNING,
  PAUSED,
  /** The provider does not know it (gone, reclaimed, never existed). */
  MISSING
}
