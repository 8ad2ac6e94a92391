package dev.remoteclaude.gateway.provider.daytona;

import dev.remoteclaude.gateway.provider.ProviderException;

/**
 * Checks user-given paths before they reach the toolbox: relative to the workspace, no {@code ..}
 * segment, no NUL. Links need no check here: the toolbox runs inside the sandbox, which sees only
 * its own files whatever a link points to.
 */
final class DaytonaPaths {
  private DaytonaPaths() {}

  /** The path, normalised (no empty or {@code .} segments), or INVALID. */
  static String relative(String userPath) {
    if (userPath == null || userPath.isBlank()) {
      throw invalid("path is empty");
    }
    if (userPath.indexOf('\0') >= 0) {
      throw invalid("path contains a NUL character");
    }
    if (userPath.startsWith("/") || userPath.startsWith("~")) {
      throw invalid("path must be relative to the workspace");
    }
    StringBuilder normal = new StringBuilder();
    for (String part : userPath.split("/")) {
      if (part.equals("..")) {
        throw invalid("path must not contain '..'");
      }
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (!normal.isEmpty()) {
        normal.append('/');
      }
      normal.append(part);
    }
    if (normal.isEmpty()) {
      throw invalid("path names the workspace itself");
    }
    return normal.toString();
  }

  /** A working directory: like {@link #relative} but the workspace itself ({@code .}) is fine. */
  static String workingDir(String userPath) {
    if (userPath == null || userPath.isBlank()) {
      return ".";
    }
    if (userPath.replace("/", "").replace(".", "").isEmpty() && !userPath.contains("..")) {
      return ".";
    }
    return relative(userPath);
  }

  private static ProviderException invalid(String message) {
    return new ProviderException(ProviderException.Kind.INVALID, message);
  }
}
