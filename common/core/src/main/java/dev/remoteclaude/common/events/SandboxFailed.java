package dev.remoteclaude.common.events;

import java.time.Instant;

/**
 * Provisioning (or re-provisioning) failed. {@code code} is one of the constants below and {@code
 * reason} says, in words a user can act on, what went wrong.
 */
public record SandboxFailed(String code, String reason, Instant at) implements Event {
  public static final String BAD_REPOSITORY_URL = "BAD_REPOSITORY_URL";
  public static final String AUTH_FAILED = "AUTH_FAILED";
  public static final String BRANCH_NOT_FOUND = "BRANCH_NOT_FOUND";
  public static final String CLONE_FAILED = "CLONE_FAILED";
  public static final String SETUP_FAILED = "SETUP_FAILED";
  public static final String TIMEOUT = "TIMEOUT";
  public static final String PROVIDER_UNAVAILABLE = "PROVIDER_UNAVAILABLE";
  public static final String PROVIDER_ERROR = "PROVIDER_ERROR";
}
