package dev.remoteclaude.cli;

/** {@code --output}: text for people, JSON for scripts. */
public enum OutputFormat {
  text,
  json
}
