package dev.remoteclaude.gateway.provider;

import java.util.OptionalLong;

/**
 * A snapshot a provider stored: the id {@link SandboxSpec} restores from and, when the provider
 * knows it, how many bytes it takes (an archive's size; a volume snapshot's is not known when it is
 * taken).
 */
public record Snapshot(String id, OptionalLong sizeBytes) {

  public Snapshot {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("a snapshot needs an id");
    }
    sizeBytes = sizeBytes == null ? OptionalLong.empty() : sizeBytes;
  }

  public static Snapshot of(String id, long sizeBytes) {
    return new Snapshot(id, OptionalLong.of(sizeBytes));
  }

  public static Snapshot ofUnknownSize(String id) {
    return new Snapshot(id, OptionalLong.empty());
  }
}
