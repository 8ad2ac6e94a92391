package dev.remoteclaude.billing;

/** What a usage line charges for. */
public enum UsageKind {
  /** Seconds of a session's sandbox in one state. */
  COMPUTE,
  /** Tokens of one model answer. */
  MODEL
}
