package dev.remoteclaude.gateway.cache;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;

/** Dependency caches (docs/configuration.md, {@code gateway.cache.*}). */
@ConfigMapping(prefix = "gateway.cache")
public interface CacheConfig {

  /** Off: setup commands run without a restored or saved cache. */
  @WithDefault("true")
  boolean enabled();

  /** Where the archives are kept on the gateway (a volume shared by the gateway's replicas). */
  @WithDefault("${gateway.local.root}/dependency-caches")
  Path dir();

  /**
   * The largest archive kept, and what all archives of one owner's repository may take together; a
   * larger archive is not saved, older ones are evicted (least recently used first).
   */
  @WithDefault("1G")
  MemorySize maxBytesPerRepository();

  /** What all archives may take together; the least recently used are evicted beyond it. */
  @WithDefault("20G")
  MemorySize maxTotalBytes();

  /** How long packing or unpacking an archive in the sandbox may take. */
  @WithDefault("10m")
  Duration timeout();

  /** An archive is written into the sandbox in pieces of this size (gateway memory per restore). */
  @WithDefault("8M")
  MemorySize chunkBytes();
}
