package dev.remoteclaude.gateway.provider.kubernetes;

import dev.remoteclaude.gateway.config.GatewayConfig;
import dev.remoteclaude.gateway.provider.ExecEvent;
import dev.remoteclaude.gateway.provider.ExecHandle;
import dev.remoteclaude.gateway.provider.ExecRequest;
import dev.remoteclaude.gateway.provider.ProviderException;
import dev.remoteclaude.gateway.provider.RemotePaths;
import dev.remoteclaude.gateway.provider.SandboxProvider;
import dev.remoteclaude.gateway.provider.SandboxSpec;
import dev.remoteclaude.gateway.provider.SandboxStatus;
import dev.remoteclaude.gateway.provider.Snapshot;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.KubernetesClientTimeoutException;
import io.fabric8.kubernetes.client.readiness.Readiness;
import io.quarkus.arc.lookup.LookupIfProperty;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Sandboxes as Kubernetes pods (see {@link SandboxResources} for what a sandbox is made of, and
 * docs/providers.md). Pause deletes the pod and keeps the claim; resume starts a new pod on the
 * same claim; terminate deletes everything. Processes run through the exec API ({@link PodExec});
 * files are read and written by {@code head} and {@code cat} inside the sandbox, the path an
 * argument. Snapshots are tar.gz archives kept in {@code archive-dir} or CSI VolumeSnapshots.
 *
 * <p>Active only with {@code gateway.kubernetes.enabled=true}. The client is configured from the
 * environment as kubectl's is: in a pod, its service account; elsewhere {@code KUBECONFIG} or
 * {@code ~/.kube/config}.
 */
@ApplicationScoped
@LookupIfProperty(name = "gateway.kubernetes.enabled", stringValue = "true")
public class KubernetesSandboxProvider implements SandboxProvider {

  static final String ID_PREFIX = "ksb-";
  static final String ARCHIVE_PREFIX = "kar-";
  static final String VOLUME_SNAPSHOT_PREFIX = "kvs-";
  static final String CPUS = "remote-claude.dev/cpus";
  static final String MEMORY_MB = "remote-claude.dev/memory-mb";
  static final String HAS_ENV = "remote-claude.dev/environment";
  static final String EXPIRES_AT = "remote-claude.dev/expires-at";
  private static final String UUID_PATTERN =
      "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
  private static final Duration FILE_TIMEOUT = Duration.ofMinutes(1);
  private static final Duration ARCHIVE_TIMEOUT = Duration.ofMinutes(30);

  private final GatewayConfig.Kubernetes config;
  private final long maxSnapshotBytes;
  private final KubernetesClient client;
  private final boolean ownsClient;
  private final SandboxResources resources;
  private final ScheduledExecutorService timers =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("k8s-exec-timer").daemon().factory());

  @Inject
  public KubernetesSandboxProvider(GatewayConfig config) {
    this(
        config.kubernetes(),
        config.snapshots().maxBytes(),
        new KubernetesClientBuilder().build(),
        true);
    Log.infof(
        "kubernetes sandboxes in namespace %s of %s, image %s%s",
        this.config.namespace(),
        client.getMasterUrl(),
        this.config.image(),
        this.config.runtimeClassName().map(r -> ", runtime class " + r).orElse(""));
  }

  /** With a client of the caller's (tests, tools); the caller closes it. */
  public KubernetesSandboxProvider(GatewayConfig config, KubernetesClient client) {
    this(config.kubernetes(), config.snapshots().maxBytes(), client, false);
  }

  /**
   * With a client of the caller's (tests, tools) and no limit on the size of archive snapshots; the
   * caller closes the client.
   */
  public KubernetesSandboxProvider(GatewayConfig.Kubernetes config, KubernetesClient client) {
    this(config, Long.MAX_VALUE, client, false);
  }

  private KubernetesSandboxProvider(
      GatewayConfig.Kubernetes config,
      long maxSnapshotBytes,
      KubernetesClient client,
      boolean ownsClient) {
    if (config.uid() == 0) {
      throw new IllegalArgumentException("gateway.kubernetes.uid must not be 0 (root)");
    }
    this.config = config;
    this.maxSnapshotBytes = maxSnapshotBytes;
    this.client = client;
    this.ownsClient = ownsClient;
    this.resources = new SandboxResources(config);
  }

  @PreDestroy
  void close() {
    timers.shutdownNow();
    if (ownsClient) {
      client.close();
    }
  }

  @Override
  public String name() {
    return "kubernetes";
  }

  @Override
  public String claudeCommand() {
    return config.claudeCommand();
  }

  String namespace() {
    return config.namespace();
  }

  // --- lifecycle ------------------------------------------------------------------------------

  @Override
  public Uni<String> create(SandboxSpec spec) {
    return blocking(
        () -> {
          PodExec.checkEnvironment(spec.env());
          Optional<String> volumeSnapshot = Optional.empty();
          Optional<Path> archive = Optional.empty();
          if (spec.restoreSnapshotId().isPresent()) {
            String snapshot = spec.restoreSnapshotId().get();
            if (snapshot.matches(VOLUME_SNAPSHOT_PREFIX + UUID_PATTERN)) {
              if (VolumeSnapshots.in(client).inNamespace(namespace()).withName(snapshot).get()
                  == null) {
                throw new ProviderException(
                    ProviderException.Kind.NOT_FOUND, "snapshot " + snapshot + " does not exist");
              }
              volumeSnapshot = Optional.of(snapshot);
            } else if (snapshot.matches(ARCHIVE_PREFIX + UUID_PATTERN)) {
              Path file = archiveOf(snapshot);
              if (!Files.isRegularFile(file)) {
                throw new ProviderException(
                    ProviderException.Kind.NOT_FOUND, "snapshot " + snapshot + " does not exist");
              }
              archive = Optional.of(file);
            } else {
              throw new ProviderException(ProviderException.Kind.INVALID, "not a snapshot id");
            }
          }
          String id = ID_PREFIX + UUID.randomUUID();
          try {
            PersistentVolumeClaim claim = resources.claim(id, spec.sessionId(), volumeSnapshot);
            Map<String, String> annotations = claim.getMetadata().getAnnotations();
            annotations.put(CPUS, String.valueOf(spec.cpus()));
            annotations.put(MEMORY_MB, String.valueOf(spec.memoryMb()));
            annotations.put(HAS_ENV, String.valueOf(!spec.env().isEmpty()));
            annotations.put(EXPIRES_AT, Instant.now().plus(spec.ttl()).toString());
            claim =
                client.persistentVolumeClaims().inNamespace(namespace()).resource(claim).create();
            if (!spec.env().isEmpty()) {
              client
                  .secrets()
                  .inNamespace(namespace())
                  .resource(resources.environment(id, spec.sessionId(), spec.env(), claim))
                  .create();
            }
            client
                .network()
                .v1()
                .networkPolicies()
                .inNamespace(namespace())
                .resource(resources.policy(id, spec.sessionId(), claim))
                .create();
            startPod(id, claim);
            run(id, ".", List.of("mkdir", "-p", "workspace", "home"));
            if (archive.isPresent()) {
              restoreArchive(id, archive.get());
            }
            return id;
          } catch (RuntimeException e) {
            removeQuietly(id);
            throw e instanceof ProviderException p
                ? p
                : e instanceof KubernetesClientException k
                    ? translate("cannot create the sandbox", k)
                    : new ProviderException(
                        ProviderException.Kind.UNAVAILABLE, "cannot create the sandbox", e);
          }
        });
  }

  @Override
  public Uni<SandboxStatus> status(String sandboxId) {
    return blocking(
        () -> {
          checkId(sandboxId);
          Pod pod = pod(sandboxId);
          PersistentVolumeClaim claim = claim(sandboxId);
          if (claim == null || claim.getMetadata().getDeletionTimestamp() != null) {
            return SandboxStatus.MISSING;
          }
          return alive(pod) ? SandboxStatus.RUNNING : SandboxStatus.PAUSED;
        });
  }

  @Override
  public Uni<Void> pause(String sandboxId) {
    return blocking(
        () -> {
          existingClaim(sandboxId);
          deletePod(sandboxId);
          return null;
        });
  }

  @Override
  public Uni<Void> resume(String sandboxId) {
    return blocking(
        () -> {
          PersistentVolumeClaim claim = existingClaim(sandboxId);
          Pod pod = pod(sandboxId);
          if (alive(pod)) {
            return null;
          }
          if (pod != null) {
            deletePod(sandboxId);
          }
          startPod(sandboxId, claim);
          return null;
        });
  }

  @Override
  public Uni<Void> terminate(String sandboxId) {
    return blocking(
        () -> {
          checkId(sandboxId);
          remove(sandboxId);
          return null;
        });
  }

  /** Every sandbox with a claim or a pod labelled as ours, created when its first part was. */
  @Override
  public Uni<List<dev.remoteclaude.gateway.provider.ProvidedSandbox>> list() {
    return blocking(
        () -> {
          Map<String, Instant> created = new java.util.TreeMap<>();
          Consumer<io.fabric8.kubernetes.api.model.ObjectMeta> add =
              meta -> {
                String id =
                    meta.getLabels() == null
                        ? null
                        : meta.getLabels().get(SandboxResources.SANDBOX_LABEL);
                if (id == null) {
                  return;
                }
                // The API server always stamps it; without one, it counts as new (kept).
                Instant at =
                    meta.getCreationTimestamp() == null
                        ? Instant.now()
                        : Instant.parse(meta.getCreationTimestamp());
                created.merge(id, at, (a, b) -> a.isBefore(b) ? a : b);
              };
          client
              .persistentVolumeClaims()
              .inNamespace(namespace())
              .withLabel(SandboxResources.MANAGED_BY, SandboxResources.US)
              .list()
              .getItems()
              .forEach(c -> add.accept(c.getMetadata()));
          client
              .pods()
              .inNamespace(namespace())
              .withLabel(SandboxResources.MANAGED_BY, SandboxResources.US)
              .list()
              .getItems()
              .forEach(p -> add.accept(p.getMetadata()));
          return created.entrySet().stream()
              .map(
                  e ->
                      new dev.remoteclaude.gateway.provider.ProvidedSandbox(
                          e.getKey(), e.getValue()))
              .toList();
        });
  }

  @Override
  public Uni<Void> extendTtl(String sandboxId, Duration ttl) {
    return blocking(
        () -> {
          existingClaim(sandboxId);
          client
              .persistentVolumeClaims()
              .inNamespace(namespace())
              .withName(SandboxResources.claimName(sandboxId))
              .edit(
                  c -> {
                    c.getMetadata()
                        .getAnnotations()
                        .put(EXPIRES_AT, Instant.now().plus(ttl).toString());
                    return c;
                  });
          return null;
        });
  }

  // --- processes and files ----------------------------------------------------------------------

  @Override
  public Uni<ExecHandle> exec(String sandboxId, ExecRequest request) {
    return blocking(
        () -> {
          String dir = "workspace/" + RemotePaths.workingDir(request.workingDir().orElse("."));
          runningPod(sandboxId);
          // request.readOnlyPaths() name files of the gateway's host (file:// repositories of the
          // local profile): a pod cannot see them, and gets none.
          return (ExecHandle)
              PodExec.start(
                  client,
                  namespace(),
                  SandboxResources.podName(sandboxId),
                  request.command(),
                  dir,
                  request.env(),
                  new ByteArrayInputStream(request.stdin()),
                  request.stdin().length,
                  request.timeout(),
                  request.maxOutputBytes(),
                  timers);
        });
  }

  @Override
  public Uni<byte[]> readFile(String sandboxId, String path, int maxBytes) {
    return blocking(
        () -> {
          String file = RemotePaths.relative(path);
          runningPod(sandboxId);
          ByteArrayOutputStream content = new ByteArrayOutputStream();
          Outcome outcome =
              run(
                  sandboxId,
                  "workspace",
                  List.of(
                      "/bin/sh",
                      "-c",
                      "[ -f \"$1\" ] || exit 3; exec head -c \"$2\" -- \"$1\"",
                      "rc-read",
                      file,
                      String.valueOf((long) maxBytes + 1)),
                  InputStream.nullInputStream(),
                  0,
                  FILE_TIMEOUT,
                  (long) maxBytes + 1,
                  content::writeBytes);
          switch (outcome.exitCode()) {
            case 0 -> {}
            case 3 ->
                throw new ProviderException(
                    ProviderException.Kind.NOT_FOUND, "no such file: " + path);
            default ->
                throw new ProviderException(
                    ProviderException.Kind.INVALID,
                    "cannot read " + path + ": " + outcome.stderr());
          }
          if (content.size() > maxBytes) {
            throw new ProviderException(
                ProviderException.Kind.INVALID, "file is larger than " + maxBytes + " bytes");
          }
          return content.toByteArray();
        });
  }

  @Override
  public Uni<Void> writeFile(String sandboxId, String path, byte[] content) {
    return blocking(
        () -> {
          String file = RemotePaths.relative(path);
          runningPod(sandboxId);
          Outcome outcome =
              run(
                  sandboxId,
                  "workspace",
                  List.of(
                      "/bin/sh",
                      "-c",
                      "[ ! -d \"$1\" ] || exit 4; mkdir -p -- \"$(dirname -- \"$1\")\" && cat > \"$1\"",
                      "rc-write",
                      file),
                  new ByteArrayInputStream(content),
                  content.length,
                  FILE_TIMEOUT,
                  64 * 1024,
                  ignored -> {});
          switch (outcome.exitCode()) {
            case 0 -> {}
            case 4 ->
                throw new ProviderException(
                    ProviderException.Kind.INVALID, path + " is a directory");
            default ->
                throw new ProviderException(
                    ProviderException.Kind.INVALID,
                    "cannot write " + path + ": " + outcome.stderr());
          }
          return null;
        });
  }

  // --- snapshots --------------------------------------------------------------------------------

  @Override
  public Uni<Snapshot> snapshot(String sandboxId) {
    return blocking(
        () -> {
          PersistentVolumeClaim claim = existingClaim(sandboxId);
          return switch (config.snapshots()) {
            case "volume-snapshot" -> volumeSnapshot(sandboxId);
            case "archive" -> archive(sandboxId, claim);
            default ->
                throw new ProviderException(
                    ProviderException.Kind.INVALID,
                    "gateway.kubernetes.snapshots must be archive or volume-snapshot");
          };
        });
  }

  /**
   * Deletes an archive from {@code archive-dir} or a VolumeSnapshot, whichever the id names (what
   * the CSI driver then does with the volume snapshot's content is the VolumeSnapshotClass's {@code
   * deletionPolicy}). One that is already gone is fine.
   */
  @Override
  public Uni<Void> deleteSnapshot(String snapshotId) {
    return blocking(
        () -> {
          if (snapshotId != null && snapshotId.matches(VOLUME_SNAPSHOT_PREFIX + UUID_PATTERN)) {
            VolumeSnapshots.in(client).inNamespace(namespace()).withName(snapshotId).delete();
          } else if (snapshotId != null && snapshotId.matches(ARCHIVE_PREFIX + UUID_PATTERN)) {
            try {
              Files.deleteIfExists(archiveOf(snapshotId));
            } catch (IOException e) {
              throw new ProviderException(
                  ProviderException.Kind.UNAVAILABLE, "cannot delete snapshot " + snapshotId, e);
            }
          } else {
            throw new ProviderException(ProviderException.Kind.INVALID, "not a snapshot id");
          }
          return null;
        });
  }

  private Snapshot volumeSnapshot(String sandboxId) {
    String name = VOLUME_SNAPSHOT_PREFIX + UUID.randomUUID();
    VolumeSnapshots.in(client)
        .inNamespace(namespace())
        .resource(
            VolumeSnapshots.of(
                name,
                namespace(),
                sandboxId,
                SandboxResources.claimName(sandboxId),
                config.volumeSnapshotClass()))
        .create();
    return Snapshot.ofUnknownSize(name);
  }

  /**
   * tar.gz of workspace and home, streamed out of the pod into the archive directory, at most
   * {@code maxSnapshotBytes}: beyond that, tar is stopped and the snapshot fails.
   */
  private Snapshot archive(String sandboxId, PersistentVolumeClaim claim) {
    boolean wasPaused = !alive(pod(sandboxId));
    if (wasPaused) {
      startPod(sandboxId, claim);
    }
    String name = ARCHIVE_PREFIX + UUID.randomUUID();
    Path file = archiveOf(name);
    Path partial = file.resolveSibling(name + ".part");
    try {
      Files.createDirectories(file.getParent());
      Outcome outcome;
      AtomicLong written = new AtomicLong();
      try (OutputStream out = Files.newOutputStream(partial)) {
        outcome =
            run(
                sandboxId,
                ".",
                List.of("tar", "-czf", "-", "-C", SandboxResources.MOUNT, "workspace", "home"),
                InputStream.nullInputStream(),
                0,
                ARCHIVE_TIMEOUT,
                Long.MAX_VALUE,
                bytes -> {
                  if (written.addAndGet(bytes.length) > maxSnapshotBytes) {
                    throw new ProviderException(
                        ProviderException.Kind.INVALID,
                        "the snapshot is larger than the limit of "
                            + maxSnapshotBytes
                            + " bytes; it was not kept");
                  }
                  try {
                    out.write(bytes);
                  } catch (IOException e) {
                    throw new UncheckedIOException(e);
                  }
                });
      }
      if (outcome.exitCode() != 0) {
        throw new ProviderException(
            ProviderException.Kind.UNAVAILABLE, "tar failed in the sandbox: " + outcome.stderr());
      }
      Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
      return Snapshot.of(name, written.get());
    } catch (IOException | UncheckedIOException e) {
      throw new ProviderException(
          ProviderException.Kind.UNAVAILABLE, "cannot write the snapshot archive", e);
    } finally {
      try {
        Files.deleteIfExists(partial);
      } catch (IOException e) {
        Log.debugf("cannot remove %s: %s", partial, e.getMessage());
      }
      if (wasPaused) {
        deletePod(sandboxId);
      }
    }
  }

  private void restoreArchive(String sandboxId, Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      Outcome outcome =
          run(
              sandboxId,
              ".",
              List.of("tar", "-xzf", "-", "-C", SandboxResources.MOUNT),
              in,
              Files.size(file),
              ARCHIVE_TIMEOUT,
              64 * 1024,
              ignored -> {});
      if (outcome.exitCode() != 0) {
        throw new ProviderException(
            ProviderException.Kind.UNAVAILABLE, "cannot restore the snapshot: " + outcome.stderr());
      }
    } catch (IOException e) {
      throw new ProviderException(
          ProviderException.Kind.UNAVAILABLE, "cannot read the snapshot", e);
    }
  }

  private Path archiveOf(String snapshotId) {
    return config.archiveDir().toAbsolutePath().resolve(snapshotId + ".tar.gz");
  }

  // --- helpers ----------------------------------------------------------------------------------

  record Outcome(int exitCode, String stderr) {}

  /** Runs one of our own commands to its end. */
  private Outcome run(String sandboxId, String dir, List<String> command) {
    Outcome outcome =
        run(
            sandboxId,
            dir,
            command,
            InputStream.nullInputStream(),
            0,
            FILE_TIMEOUT,
            64 * 1024,
            b -> {});
    if (outcome.exitCode() != 0) {
      throw new ProviderException(
          ProviderException.Kind.UNAVAILABLE,
          command.get(0) + " failed in the sandbox: " + outcome.stderr());
    }
    return outcome;
  }

  private Outcome run(
      String sandboxId,
      String dir,
      List<String> command,
      InputStream stdin,
      long stdinLength,
      Duration timeout,
      long maxOutput,
      Consumer<byte[]> stdout) {
    PodExec exec =
        PodExec.start(
            client,
            namespace(),
            SandboxResources.podName(sandboxId),
            command,
            dir,
            Map.of(),
            stdin,
            stdinLength,
            timeout,
            maxOutput,
            timers);
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    ExecEvent.Exit exit = null;
    try {
      for (ExecEvent event : exec.events().subscribe().asIterable()) {
        switch (event) {
          case ExecEvent.Stdout s -> stdout.accept(s.bytes());
          case ExecEvent.Stderr s -> {
            if (stderr.size() < 4096) {
              stderr.writeBytes(s.bytes());
            }
          }
          case ExecEvent.Exit e -> exit = e;
        }
      }
    } catch (RuntimeException e) {
      exec.cancel(); // the output's consumer gave up (a snapshot too large): stop the process
      throw e;
    }
    if (exit == null || exit.timedOut()) {
      throw new ProviderException(
          ProviderException.Kind.UNAVAILABLE, command.get(0) + " did not finish in the sandbox");
    }
    return new Outcome(exit.exitCode(), stderr.toString(StandardCharsets.UTF_8).strip());
  }

  private void startPod(String sandboxId, PersistentVolumeClaim claim) {
    Map<String, String> annotations = claim.getMetadata().getAnnotations();
    int cpus = intOf(annotations.get(CPUS));
    int memoryMb = intOf(annotations.get(MEMORY_MB));
    boolean env = Boolean.parseBoolean(annotations.get(HAS_ENV));
    Pod pod =
        resources.pod(
            sandboxId,
            claim.getMetadata().getLabels().get(SandboxResources.SESSION_LABEL),
            env,
            resources.resources(cpus, memoryMb),
            claim);
    client.pods().inNamespace(namespace()).resource(pod).create();
    try {
      client
          .pods()
          .inNamespace(namespace())
          .withName(SandboxResources.podName(sandboxId))
          .waitUntilCondition(
              p -> p != null && Readiness.isPodReady(p),
              config.startTimeout().toMillis(),
              TimeUnit.MILLISECONDS);
    } catch (KubernetesClientTimeoutException e) {
      throw new ProviderException(
          ProviderException.Kind.UNAVAILABLE,
          "the sandbox's pod was not ready within " + config.startTimeout());
    }
  }

  private static int intOf(String value) {
    try {
      return value == null ? 0 : Integer.parseInt(value);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private void deletePod(String sandboxId) {
    client
        .pods()
        .inNamespace(namespace())
        .withName(SandboxResources.podName(sandboxId))
        .withTimeout(config.startTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .delete();
  }

  /** Deletes everything of a sandbox; what is already gone is fine. */
  private void remove(String sandboxId) {
    deletePod(sandboxId);
    client
        .network()
        .v1()
        .networkPolicies()
        .inNamespace(namespace())
        .withName(SandboxResources.policyName(sandboxId))
        .delete();
    client
        .secrets()
        .inNamespace(namespace())
        .withName(SandboxResources.secretName(sandboxId))
        .delete();
    client
        .persistentVolumeClaims()
        .inNamespace(namespace())
        .withName(SandboxResources.claimName(sandboxId))
        .delete();
  }

  private void removeQuietly(String sandboxId) {
    try {
      remove(sandboxId);
    } catch (RuntimeException e) {
      Log.warnf(
          "could not clean up sandbox %s after a failed create: %s", sandboxId, e.getMessage());
    }
  }

  private Pod pod(String sandboxId) {
    return client
        .pods()
        .inNamespace(namespace())
        .withName(SandboxResources.podName(sandboxId))
        .get();
  }

  private PersistentVolumeClaim claim(String sandboxId) {
    return client
        .persistentVolumeClaims()
        .inNamespace(namespace())
        .withName(SandboxResources.claimName(sandboxId))
        .get();
  }

  private static boolean alive(Pod pod) {
    if (pod == null || pod.getMetadata().getDeletionTimestamp() != null) {
      return false;
    }
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return !"Failed".equals(phase) && !"Succeeded".equals(phase);
  }

  private PersistentVolumeClaim existingClaim(String sandboxId) {
    checkId(sandboxId);
    PersistentVolumeClaim claim = claim(sandboxId);
    if (claim == null || claim.getMetadata().getDeletionTimestamp() != null) {
      throw new ProviderException(ProviderException.Kind.NOT_FOUND, "sandbox is gone");
    }
    return claim;
  }

  private void runningPod(String sandboxId) {
    existingClaim(sandboxId);
    if (!alive(pod(sandboxId))) {
      throw new ProviderException(ProviderException.Kind.INVALID, "sandbox is paused");
    }
  }

  private static void checkId(String sandboxId) {
    if (sandboxId == null || !sandboxId.matches(ID_PREFIX + UUID_PATTERN)) {
      throw new ProviderException(ProviderException.Kind.NOT_FOUND, "not a kubernetes sandbox id");
    }
  }

  /** The API server's answer as a provider failure: a user's mistake is not an outage. */
  static ProviderException translate(String what, KubernetesClientException e) {
    ProviderException.Kind kind =
        switch (e.getCode()) {
          case 404 -> ProviderException.Kind.NOT_FOUND;
          case 400, 422 -> ProviderException.Kind.INVALID;
          default -> ProviderException.Kind.UNAVAILABLE;
        };
    return new ProviderException(kind, what + " (" + e.getCode() + ")", e);
  }

  private static <T> Uni<T> blocking(Supplier<T> work) {
    return Uni.createFrom()
        .item(
            () -> {
              try {
                return work.get();
              } catch (KubernetesClientException e) {
                throw translate("kubernetes API call failed", e);
              }
            })
        .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
  }
}
