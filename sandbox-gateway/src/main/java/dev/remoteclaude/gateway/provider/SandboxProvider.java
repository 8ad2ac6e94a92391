package dev.remoteclaude.gateway.provider;

import io.smallrye.mutiny.Uni;
import java.time.Duration;

/**
 * A place sandboxes come from. Every provider call of the platform goes through an implementation
 * of this interface, in the gateway only (wrapped by {@link ProviderCalls} for fault tolerance).
 *
 * <p>Paths given to file operations and working directories are relative to the sandbox's workspace
 * (the repository checkout); implementations refuse anything that leaves it.
 */
public interface SandboxProvider {

  /** The name sessions choose the provider by ({@code local}, {@code e2b}, ...). */
  String name();

  /** Creates a sandbox (restoring a snapshot when the spec names one) and returns its id. */
  Uni<String> create(SandboxSpec spec);

  Uni<SandboxStatus> status(String sandboxId);

  /** Stops every process of the sandbox; its files are kept. */
  Uni<Void> pause(String sandboxId);

  /** Makes a paused sandbox usable again. */
  Uni<Void> resume(String sandboxId);

  /** Kills everything and frees the sandbox. Idempotent: a missing sandbox is not an error. */
  Uni<Void> terminate(String sandboxId);

  /** Starts a process in the sandbox; its output and exit arrive on the returned handle. */
  Uni<ExecHandle> exec(String sandboxId, ExecRequest request);

  /** Reads a workspace file, refusing more than {@code maxBytes}. */
  Uni<byte[]> readFile(String sandboxId, String path, int maxBytes);

  /** Writes a workspace file, creating parent directories. */
  Uni<Void> writeFile(String sandboxId, String path, byte[] content);

  Uni<Void> extendTtl(String sandboxId, Duration ttl);

  /**
   * Archives the workspace and Claude's transcripts; returns the snapshot (its id for {@link
   * SandboxSpec}). A snapshot larger than the provider's limit fails as {@link
   * ProviderException.Kind#INVALID} and leaves nothing behind.
   */
  Uni<Snapshot> snapshot(String sandboxId);

  /**
   * Deletes a snapshot. Idempotent: a snapshot that does not exist (any more) is not an error; an
   * id that is not one of this provider's is {@link ProviderException.Kind#INVALID}.
   */
  Uni<Void> deleteSnapshot(String snapshotId);

  /**
   * Every sandbox this provider holds for the platform (labelled or stored as ours), whatever the
   * gateway knows of it: the orphan collector compares the two.
   */
  Uni<java.util.List<ProvidedSandbox>> list();

  /** Where the Claude Code CLI is inside this provider's sandboxes. */
  String claudeCommand();
}
