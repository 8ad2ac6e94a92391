package dev.remoteclaude.gateway.provider;

/**
 * Checks user-given paths before they reach a remote sandbox (kubernetes, e2b, daytona): relative
 * to the workspace, no {@code ..} segment, no NUL. Links need no check here: those providers read
 * and write files with a process or daemon inside the sandbox (its container, its VM), which sees
 * only the sandbox's own files whatever a link points to. The local provider, whose files are on
 * the gateway's host, checks more (its WorkspacePaths).
 */
public final class RemotePaths {
  private RemotePaths() {}

  /** The path, normalised (no empty or {@code .} segments), or INVALID. */
  public static String relative(String userPath) {
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
  public static String workingDir(String userPath) {
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
