package dev.remoteclaude.gateway.cache;

import dev.remoteclaude.gateway.provider.ExecEvent;
import dev.remoteclaude.gateway.provider.ExecRequest;
import dev.remoteclaude.gateway.provider.ExecResult;
import dev.remoteclaude.gateway.provider.ProviderCalls;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * Package-manager caches kept across sessions, per owner, repository and lockfiles: restored into a
 * sandbox before its setup commands, saved from it after a setup that succeeded.
 *
 * <p>An archive is made and unpacked only inside the sandbox (with {@code tar}, through the
 * provider's exec API); the gateway only stores and streams its bytes, never unpacks or inspects
 * them, so links or odd paths in an archive a tenant's sandbox made can do nothing on the gateway's
 * host. Archives are capped in size, per owner's repository and in total, the least recently used
 * evicted first. Nothing here fails a provisioning run: a cache that cannot be restored or saved is
 * logged and skipped.
 */
@ApplicationScoped
public class DependencyCaches {

  /** Under the sandbox's home, so nothing appears in the repository's checkout. */
  static final String SANDBOX_DIR = ".cache/remote-claude/dependencies";

  private static final String RESTORE_ARCHIVE = ".cache/remote-claude/dependencies.tar.gz";

  /**
   * Prints the sandbox's home, then the path and SHA-256 of each lockfile under the workspace (at
   * most four levels deep, not in dependency or VCS directories, links not followed), in a stable
   * order: the gateway hashes that listing into the key.
   */
  private static final String PROBE =
      """
      printf '%s\\n' "$HOME"
      mkdir -p "$HOME/.cache/remote-claude"
      find . -maxdepth 4 \\( -name .git -o -name node_modules -o -name .venv -o -name venv \
        -o -name target -o -name vendor -o -name .gradle \\) -prune -o -type f \\( \
        -name package-lock.json -o -name npm-shrinkwrap.json -o -name pnpm-lock.yaml \
        -o -name yarn.lock -o -name 'requirements*.txt' -o -name uv.lock -o -name poetry.lock \
        -o -name Pipfile.lock -o -name pom.xml -o -name 'build.gradle' -o -name 'build.gradle.kts' \
        -o -name gradle.lockfile -o -name Cargo.lock -o -name go.sum \\) -print0 \
        | LC_ALL=C sort -z | xargs -0 -r sha256sum
      """;

  private final ProviderCalls providers;
  private final CacheConfig config;
  private final CacheStore store;

  public DependencyCaches(ProviderCalls providers, CacheConfig config) {
    this.providers = providers;
    this.config = config;
    this.store = new DirectoryCacheStore(config.dir());
  }

  public boolean enabled() {
    return config.enabled();
  }

  /**
   * Finds the sandbox's cache key (from its lockfiles) and restores the archive kept under it, if
   * any. {@link CacheRun#NONE} when caching is off, the workspace has no lockfile, or the sandbox
   * could not be probed.
   */
  public Uni<CacheRun> restore(
      String provider, String providerId, String ownerId, String repositoryUrl) {
    if (!config.enabled()) {
      return Uni.createFrom().item(CacheRun.NONE);
    }
    return providers
        .exec(provider, providerId, ExecRequest.of(List.of("bash", "-c", PROBE), config.timeout()))
        .chain(providers::collect)
        .chain(
            probe -> {
              Optional<CacheRun> run = runOf(probe, ownerId, repositoryUrl);
              if (run.isEmpty()) {
                return Uni.createFrom().item(CacheRun.NONE);
              }
              return blocking(() -> store.find(run.get().key().orElseThrow()))
                  .chain(
                      found ->
                          found.isEmpty()
                              ? Uni.createFrom().item(run.get())
                              : unpack(provider, providerId, run.get(), found.get()));
            })
        .onFailure()
        .recoverWithItem(
            failure -> {
              Log.warnf(
                  "sandbox %s: dependency cache not restored: %s",
                  providerId, failure.getMessage());
              return CacheRun.NONE;
            });
  }

  private static Optional<CacheRun> runOf(ExecResult probe, String ownerId, String repositoryUrl) {
    if (!probe.succeeded() || probe.truncated()) {
      return Optional.empty();
    }
    String out = probe.stdout();
    int newline = out.indexOf('\n');
    if (newline < 0) {
      return Optional.empty();
    }
    String home = out.substring(0, newline);
    String listing = out.substring(newline + 1);
    if (!home.startsWith("/") || listing.isBlank()) {
      return Optional.empty();
    }
    String base = home.endsWith("/") ? home : home + "/";
    return Optional.of(
        new CacheRun(
            Optional.of(CacheKey.of(ownerId, repositoryUrl, listing)),
            base + SANDBOX_DIR,
            false,
            Optional.empty()));
  }

  private Uni<CacheRun> unpack(
      String provider, String providerId, CacheRun run, CacheStore.Stored found) {
    String archive =
        run.directory().substring(0, run.directory().length() - SANDBOX_DIR.length())
            + RESTORE_ARCHIVE;
    return blocking(() -> store.open(found.key()))
        .chain(
            opened -> {
              if (opened.isEmpty()) {
                return Uni.createFrom().item(run);
              }
              InputStream in = opened.get();
              return send(provider, providerId, in, archive, 0)
                  .eventually(() -> blocking(() -> close(in)))
                  .chain(
                      sent ->
                          inSandbox(
                                  provider,
                                  providerId,
                                  List.of(
                                      "sh",
                                      "-c",
                                      "mkdir -p \"$1\" && tar -xzf \"$2\" -C \"$1\" --no-same-owner;"
                                          + " rc=$?; rm -f \"$2\"; exit $rc",
                                      "sh",
                                      run.directory(),
                                      archive),
                                  new byte[0],
                                  "unpacking")
                              .chain(() -> blocking(() -> touch(found.key())))
                              .map(
                                  ignored ->
                                      new CacheRun(
                                          run.key(),
                                          run.directory(),
                                          true,
                                          Optional.of(
                                              new CacheRun.Notice(
                                                  "DEPENDENCY_CACHE_RESTORED",
                                                  "restored dependency cache (" + mb(sent) + " MB)",
                                                  sent)))));
            });
  }

  /** Writes the archive into the sandbox piece by piece; returns the bytes sent. */
  private Uni<Long> send(
      String provider, String providerId, InputStream in, String archive, long sent) {
    int chunk = (int) Math.min(Integer.MAX_VALUE - 8, config.chunkBytes().asLongValue());
    return blocking(() -> in.readNBytes(chunk))
        .chain(
            bytes -> {
              if (bytes.length == 0) {
                return Uni.createFrom().item(sent);
              }
              String redirect = sent == 0 ? ">" : ">>";
              return inSandbox(
                      provider,
                      providerId,
                      List.of("sh", "-c", "cat " + redirect + " \"$1\"", "sh", archive),
                      bytes,
                      "writing")
                  .chain(() -> send(provider, providerId, in, archive, sent + bytes.length));
            });
  }

  /**
   * Saves the sandbox's cache directory under the run's key, unless it was restored from there (a
   * hit), is empty, or is larger than {@code gateway.cache.max-bytes-per-repository}. Evicts the
   * least recently used archives beyond the caps. Completes with what to tell the session.
   */
  public Uni<Optional<CacheRun.Notice>> save(String provider, String providerId, CacheRun run) {
    if (run.key().isEmpty() || run.hit()) {
      return Uni.createFrom().item(Optional.empty());
    }
    CacheKey key = run.key().get();
    long max = config.maxBytesPerRepository().asLongValue();
    ExecRequest pack =
        ExecRequest.of(
                List.of(
                    "sh",
                    "-c",
                    "cd \"$1\" 2>/dev/null || exit 3; [ -n \"$(ls -A)\" ] || exit 3;"
                        + " exec tar -czf - .",
                    "sh",
                    run.directory()),
                config.timeout())
            .withMaxOutputBytes(max + 1);
    return blocking(store::staging)
        .chain(
            staged ->
                providers
                    .exec(provider, providerId, pack)
                    .chain(handle -> ProviderCalls.backOnCaller(receive(handle.events(), staged)))
                    .chain(
                        exit -> {
                          long size = size(staged);
                          if (exit.exitCode() == 3 && !exit.timedOut()) {
                            return discard(staged, Optional.empty());
                          }
                          if (exit.truncated() || size > max) {
                            return discard(
                                staged,
                                Optional.of(
                                    new CacheRun.Notice(
                                        "DEPENDENCY_CACHE_NOT_SAVED",
                                        "dependency cache not saved: larger than "
                                            + mb(max)
                                            + " MB (gateway.cache.max-bytes-per-repository)",
                                        size)));
                          }
                          if (exit.exitCode() != 0 || exit.timedOut() || exit.cancelled()) {
                            return discard(staged, Optional.empty());
                          }
                          return blocking(
                                  () -> {
                                    store.put(key, staged);
                                    evict();
                                    return size;
                                  })
                              .map(
                                  saved ->
                                      Optional.of(
                                          new CacheRun.Notice(
                                              "DEPENDENCY_CACHE_SAVED",
                                              "saved dependency cache (" + mb(saved) + " MB)",
                                              saved)));
                        })
                    .onFailure()
                    .call(() -> blocking(() -> Files.deleteIfExists(staged))))
        .onFailure()
        .recoverWithItem(
            failure -> {
              Log.warnf(
                  "sandbox %s: dependency cache not saved: %s", providerId, failure.getMessage());
              return Optional.empty();
            });
  }

  /** Writes the process's standard output to the file (off the event loop); returns its exit. */
  private static Uni<ExecEvent.Exit> receive(
      io.smallrye.mutiny.Multi<ExecEvent> events, Path staged) {
    return Uni.createFrom()
        .item(
            () -> {
              try {
                return FileChannel.open(staged, StandardOpenOption.WRITE);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            })
        .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
        .chain(
            channel -> {
              ExecEvent.Exit[] exit = new ExecEvent.Exit[1];
              return events
                  .emitOn(Infrastructure.getDefaultWorkerPool())
                  .onItem()
                  .invoke(
                      event -> {
                        switch (event) {
                          case ExecEvent.Stdout out -> write(channel, out.bytes());
                          case ExecEvent.Stderr ignored -> {}
                          case ExecEvent.Exit e -> exit[0] = e;
                        }
                      })
                  .collect()
                  .last()
                  .eventually(
                      () -> {
                        close(channel);
                      })
                  .map(
                      ignored ->
                          exit[0] == null ? new ExecEvent.Exit(-1, false, false, false) : exit[0]);
            });
  }

  private static void write(FileChannel channel, byte[] bytes) {
    try {
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Uni<Optional<CacheRun.Notice>> discard(Path staged, Optional<CacheRun.Notice> notice) {
    return blocking(() -> Files.deleteIfExists(staged)).map(ignored -> notice);
  }

  private void evict() throws IOException {
    synchronized (store) {
      evict(
          store,
          config.maxBytesPerRepository().asLongValue(),
          config.maxTotalBytes().asLongValue());
    }
  }

  /**
   * Deletes the least recently used archives until every owner's repository is within {@code
   * perRepository} bytes and all of them within {@code total}.
   */
  static void evict(CacheStore store, long perRepository, long total) throws IOException {
    List<CacheStore.Stored> all = new ArrayList<>(store.list());
    all.sort(Comparator.comparing(CacheStore.Stored::lastUsed).reversed());
    Map<String, Long> used = new HashMap<>();
    long kept = 0;
    for (CacheStore.Stored entry : all) {
      String repository = entry.key().owner() + "/" + entry.key().repository();
      long inRepository = used.getOrDefault(repository, 0L) + entry.sizeBytes();
      if (inRepository > perRepository || kept + entry.sizeBytes() > total) {
        store.delete(entry.key());
        Log.infof(
            "dependency cache %s evicted (%d bytes, last used %s)",
            entry.key().lockfiles(), entry.sizeBytes(), entry.lastUsed());
        continue;
      }
      used.put(repository, inRepository);
      kept += entry.sizeBytes();
    }
  }

  /**
   * Runs a command in the sandbox with the bytes on its standard input; fails unless it succeeds.
   */
  private Uni<Void> inSandbox(
      String provider, String providerId, List<String> command, byte[] stdin, String what) {
    return providers
        .exec(
            provider,
            providerId,
            ExecRequest.of(command, config.timeout()).withStdin(stdin).withMaxOutputBytes(4096))
        .chain(providers::collect)
        .invoke(
            result -> {
              if (!result.succeeded()) {
                throw new IllegalStateException(
                    what + " the cache in the sandbox failed with exit code " + result.exitCode());
              }
            })
        .replaceWithVoid();
  }

  private Void touch(CacheKey key) throws IOException {
    store.touch(key);
    return null;
  }

  private static Void close(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      Log.debugf("closing a dependency cache stream: %s", e.getMessage());
    }
    return null;
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return 0;
    }
  }

  private static String mb(long bytes) {
    return String.format(Locale.ROOT, "%.1f", bytes / (1024.0 * 1024.0));
  }

  /** Blocking work on a worker thread, its result back on the caller's context. */
  private static <T> Uni<T> blocking(Callable<T> work) {
    return ProviderCalls.backOnCaller(
        Uni.createFrom()
            .item(
                () -> {
                  try {
                    return work.call();
                  } catch (IOException e) {
                    throw new UncheckedIOException(e);
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                })
            .runSubscriptionOn(Infrastructure.getDefaultWorkerPool()));
  }
}
