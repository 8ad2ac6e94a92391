package dev.remoteclaude.gateway.cache;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Archives as files: {@code <dir>/<owner>/<repository>/<lockfiles>.tar.gz} (the key's digests), a
 * file's modification time being when it was last used. Nothing here follows a symbolic link: only
 * regular files and directories the store made itself are read, listed or deleted.
 */
final class DirectoryCacheStore implements CacheStore {

  private static final String SUFFIX = ".tar.gz";
  private static final Pattern DIGEST = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern ARCHIVE = Pattern.compile("([0-9a-f]{64})\\.tar\\.gz");
  private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

  private final Path dir;

  /** Creates the directory when needed; blocking. */
  DirectoryCacheStore(Path dir) {
    try {
      Files.createDirectories(dir);
      this.dir = dir.toRealPath();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot create the cache directory " + dir, e);
    }
  }

  private Path fileOf(CacheKey key) {
    return dir.resolve(key.owner()).resolve(key.repository()).resolve(key.lockfiles() + SUFFIX);
  }

  @Override
  public Optional<Stored> find(CacheKey key) throws IOException {
    return attributes(fileOf(key))
        .filter(BasicFileAttributes::isRegularFile)
        .map(a -> new Stored(key, a.size(), a.lastModifiedTime().toInstant()));
  }

  @Override
  public Optional<InputStream> open(CacheKey key) throws IOException {
    try {
      return Optional.of(Files.newInputStream(fileOf(key), StandardOpenOption.READ, NOFOLLOW));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  @Override
  public Path staging() throws IOException {
    Path staging = dir.resolve(".staging");
    Files.createDirectories(staging);
    return Files.createTempFile(staging, "cache-", ".part");
  }

  @Override
  public void put(CacheKey key, Path staged) throws IOException {
    Path target = fileOf(key);
    Files.createDirectories(target.getParent());
    Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    Files.setLastModifiedTime(target, FileTime.from(Instant.now()));
  }

  @Override
  public void touch(CacheKey key) throws IOException {
    Path file = fileOf(key);
    if (attributes(file).filter(BasicFileAttributes::isRegularFile).isPresent()) {
      Files.setLastModifiedTime(file, FileTime.from(Instant.now()));
    }
  }

  @Override
  public List<Stored> list() throws IOException {
    List<Stored> all = new ArrayList<>();
    for (Path owner : directories(dir)) {
      for (Path repository : directories(owner)) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(repository)) {
          for (Path file : files) {
            Matcher name = ARCHIVE.matcher(file.getFileName().toString());
            Optional<BasicFileAttributes> attrs = attributes(file);
            if (name.matches() && attrs.isPresent() && attrs.get().isRegularFile()) {
              CacheKey key =
                  new CacheKey(
                      owner.getFileName().toString(),
                      repository.getFileName().toString(),
                      name.group(1));
              all.add(
                  new Stored(key, attrs.get().size(), attrs.get().lastModifiedTime().toInstant()));
            }
          }
        }
      }
    }
    return all;
  }

  @Override
  public void delete(CacheKey key) throws IOException {
    Files.deleteIfExists(fileOf(key));
  }

  /** The sub-directories named like a digest (links and anything else skipped). */
  private static List<Path> directories(Path parent) throws IOException {
    List<Path> found = new ArrayList<>();
    if (attributes(parent).filter(BasicFileAttributes::isDirectory).isEmpty()) {
      return found;
    }
    try (DirectoryStream<Path> children = Files.newDirectoryStream(parent)) {
      for (Path child : children) {
        if (DIGEST.matcher(child.getFileName().toString()).matches()
            && attributes(child).filter(BasicFileAttributes::isDirectory).isPresent()) {
          found.add(child);
        }
      }
    }
    return found;
  }

  private static Optional<BasicFileAttributes> attributes(Path path) throws IOException {
    try {
      return Optional.of(Files.readAttributes(path, BasicFileAttributes.class, NOFOLLOW));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }
}
