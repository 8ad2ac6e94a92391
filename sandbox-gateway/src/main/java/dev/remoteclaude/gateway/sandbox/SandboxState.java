package dev.remoteclaude.gateway.sandbox;

/** Where a sandbox is in its life, from the gateway's point of view. */
public enum SandboxState {
  PROVISIONING,
  READY,
  PAUSED,
  TERMINATED,
  FAILED,
  LOST
}
