package dev.remoteclaude.gateway.provider.e2b;

import dev.remoteclaude.gateway.provider.ProviderException;

/**
 * Checks user-given paths before they reach the sandbox: relative to the workspace, no {@code ..}
 * segment, no NUL. Links need no check here: envd resolves them inside the sandbox's own VM, which
 * holds only the sandbox's own files whatever a link points to.
 */
final class E2bPaths {
  private E2bPaths() {}

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
    if (userPath == null || userPath.isBlank() || userPath.equals(".")) {
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
