package dev.remoteclaude.cli.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.remoteclaude.cli.CliException;
import dev.remoteclaude.cli.ExitCodes;
import dev.remoteclaude.cli.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The config file, {@code ~/.config/rclaude/config.json} unless {@code RCLAUDE_CONFIG} or {@code
 * XDG_CONFIG_HOME} say otherwise. It holds a token, so it is written owner-only (0600, in a 0700
 * directory) and replaced atomically: it never exists, even for a moment, with wider permissions.
 */
public final class ConfigFile {

  static final Set<PosixFilePermission> OWNER_ONLY_FILE =
      PosixFilePermissions.fromString("rw-------");
  static final Set<PosixFilePermission> OWNER_ONLY_DIR =
      PosixFilePermissions.fromString("rwx------");

  private final Path path;

  public ConfigFile(Path path) {
    this.path = path;
  }

  /** Where the config file is for this environment (a {@code --config} flag wins over all). */
  public static ConfigFile locate(Path flag, Map<String, String> env) {
    if (flag != null) {
      return new ConfigFile(flag);
    }
    String explicit = env.get("RCLAUDE_CONFIG");
    if (explicit != null && !explicit.isBlank()) {
      return new ConfigFile(Path.of(explicit));
    }
    String xdg = env.get("XDG_CONFIG_HOME");
    if (xdg != null && !xdg.isBlank()) {
      return new ConfigFile(Path.of(xdg, "rclaude", "config.json"));
    }
    String home = env.getOrDefault("HOME", System.getProperty("user.home"));
    return new ConfigFile(Path.of(home, ".config", "rclaude", "config.json"));
  }

  public Path path() {
    return path;
  }

  /** The stored config; empty when there is no file yet. */
  public StoredConfig read() {
    try {
      String text = Files.readString(path, StandardCharsets.UTF_8);
      if (text.isBlank()) {
        return StoredConfig.empty();
      }
      return Json.mapper().readValue(text, StoredConfig.class);
    } catch (NoSuchFileException e) {
      return StoredConfig.empty();
    } catch (JsonProcessingException e) {
      throw new CliException(
          ExitCodes.FAILED,
          "the config file " + path + " is not valid JSON; fix it or log in again");
    } catch (IOException e) {
      throw new CliException(
          ExitCodes.FAILED, "cannot read the config file " + path + ": " + e.getMessage());
    }
  }

  /** Whether others than the owner may read the file (a warning is due). */
  public boolean tooOpen() {
    try {
      Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(path);
      return !OWNER_ONLY_FILE.containsAll(permissions);
    } catch (UnsupportedOperationException | IOException e) {
      return false;
    }
  }

  /** Writes the config, owner-only, replacing the old file atomically. */
  public void write(StoredConfig config) {
    Path dir = path.toAbsolutePath().getParent();
    boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
    try {
      createDirectories(dir, posix);
      byte[] content = Json.pretty(config).concat("\n").getBytes(StandardCharsets.UTF_8);
      Path temp =
          posix
              ? Files.createTempFile(
                  dir, ".config-", ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE))
              : Files.createTempFile(dir, ".config-", ".tmp");
      try {
        Files.write(temp, content);
        if (posix) {
          Files.setPosixFilePermissions(temp, OWNER_ONLY_FILE);
        }
        try {
          Files.move(
              temp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(temp);
      }
    } catch (IOException e) {
      throw new CliException(
          ExitCodes.FAILED, "cannot write the config file " + path + ": " + e.getMessage());
    }
  }

  /** Removes the stored token (keeps the URL); returns whether there was one. */
  public boolean forgetToken() {
    StoredConfig current = read();
    if (current.token() == null) {
      return false;
    }
    write(new StoredConfig(current.url(), null));
    return true;
  }

  private static void createDirectories(Path dir, boolean posix) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    if (!posix) {
      Files.createDirectories(dir);
      return;
    }
    Path parent = dir.getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    FileAttribute<Set<PosixFilePermission>> ownerOnly =
        PosixFilePermissions.asFileAttribute(EnumSet.copyOf(OWNER_ONLY_DIR));
    try {
      Files.createDirectory(dir, ownerOnly);
    } catch (FileAlreadyExistsException e) {
      // created concurrently: fine
    }
  }
}
