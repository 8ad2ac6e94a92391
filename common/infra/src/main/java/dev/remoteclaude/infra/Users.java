package dev.remoteclaude.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Helpers for running a program as an unprivileged user when this JVM runs as root. */
final class Users {
  private Users() {}

  static boolean runningAsRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  /** A prefix that runs the rest of the command as {@code user} (setpriv execs, no extra fork). */
  static List<String> asUser(String user, List<String> command) {
    List<String> full = new ArrayList<>();
    full.add("setpriv");
    full.add("--reuid=" + user);
    full.add("--regid=" + user);
    full.add("--init-groups");
    full.add("--");
    full.addAll(command);
    return full;
  }

  static void chownRecursively(Path root, String user) {
    UserPrincipalLookupService lookup = FileSystems.getDefault().getUserPrincipalLookupService();
    try (Stream<Path> paths = Files.walk(root)) {
      UserPrincipal owner = lookup.lookupPrincipalByName(user);
      GroupPrincipal group = lookup.lookupPrincipalByGroupName(user);
      for (Path p : (Iterable<Path>) paths::iterator) {
        PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class);
        view.setOwner(owner);
        view.setGroup(group);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not give " + root + " to user " + user, e);
    }
  }
}
