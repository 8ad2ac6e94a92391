package dev.remoteclaude.gateway.cache;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where dependency cache archives are kept. The archives are opaque bytes to the store (they are
 * unpacked only inside sandboxes). Blocking; callers run it off the event loop. Today a directory
 * ({@link DirectoryCacheStore}); an object store could implement the same.
 */
public interface CacheStore {

  /** An archive kept. */
  record Stored(CacheKey key, long sizeBytes, Instant lastUsed) {}

  Optional<Stored> find(CacheKey key) throws IOException;

  /** Reads an archive; empty when it is not (or no longer) there. */
  Optional<InputStream> open(CacheKey key) throws IOException;

  /** A new empty file an archive can be written to before {@link #put}. */
  Path staging() throws IOException;

  /** Keeps the staged archive (moved, not copied) under the key, replacing any there. */
  void put(CacheKey key, Path staged) throws IOException;

  /** Marks an archive used now (the clock of least-recently-used eviction). */
  void touch(CacheKey key) throws IOException;

  List<Stored> list() throws IOException;

  /** Removes an archive; one that is not there is fine. */
  void delete(CacheKey key) throws IOException;
}
