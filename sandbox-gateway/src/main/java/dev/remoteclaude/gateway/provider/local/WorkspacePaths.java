package dev.remoteclaude.gateway.provider.local;

import dev.remoteclaude.gateway.provider.ProviderException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Resolves user-given paths inside a workspace and refuses any that leave it: absolute paths,
 * {@code ..} segments, and symbolic links (anywhere along the path) that point outside.
 */
final class WorkspacePaths {
  private WorkspacePaths() {}

  static Path resolve(Path workspace, String userPath) {
    Path target = workspace.resolve(relative(userPath)).normalize();
    if (!target.startsWith(workspace)) {
      throw invalid("path leaves the workspace");
    }
    checkNoEscapingLink(workspace, target);
    return target;
  }

  /**
   * The path as a process inside the sandbox names it ({@code inside} + the relative path), after
   * the checks that need no file system: there, links resolve in the sandbox's own view, so they
   * cannot lead anywhere the sandbox could not go anyway.
   */
  static String inSandbox(String inside, String userPath) {
    return inside + "/" + relative(userPath).normalize();
  }

  private static Path relative(String userPath) {
    if (userPath == null || userPath.isBlank()) {
      throw invalid("path is empty");
    }
    if (userPath.indexOf('\0') >= 0) {
      throw invalid("path contains a NUL character");
    }
    Path relative = Path.of(userPath);
    if (relative.isAbsolute() || userPath.startsWith("/") || userPath.startsWith("~")) {
      throw invalid("path must be relative to the workspace");
    }
    for (Path part : relative) {
      if (part.toString().equals("..")) {
        throw invalid("path must not contain '..'");
      }
    }
    return relative;
  }

  /** Every existing component between the workspace and the target must stay inside it. */
  private static void checkNoEscapingLink(Path workspace, Path target) {
    try {
      Path realWorkspace = workspace.toRealPath();
      Path current = workspace;
      for (Path part : workspace.relativize(target)) {
        current = current.resolve(part);
        if (!Files.exists(current, LinkOption.NOFOLLOW_LINKS)) {
          return;
        }
        if (Files.isSymbolicLink(current)) {
          Path real;
          try {
            real = current.toRealPath();
          } catch (IOException dangling) {
            throw invalid("path goes through a link that leads nowhere");
          }
          if (!real.startsWith(realWorkspace)) {
            throw invalid("path goes through a link that leaves the workspace");
          }
        }
      }
    } catch (IOException e) {
      throw new ProviderException(ProviderException.Kind.UNAVAILABLE, "workspace not readable", e);
    }
  }

  private static ProviderException invalid(String message) {
    return new ProviderException(ProviderException.Kind.INVALID, message);
  }
}
