package dev.remoteclaude.gateway.gitproxy;

import dev.remoteclaude.common.git.GitConfig;
import dev.remoteclaude.gateway.config.GatewayConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.FetchResult;
import org.eclipse.jgit.transport.PacketLineOut;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.ReceiveCommand;
import org.eclipse.jgit.transport.ReceivePack;
import org.eclipse.jgit.transport.RefAdvertiser;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.transport.UploadPack;
import org.eclipse.jgit.util.FS;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

/**
 * The sessions' bare mirrors on the gateway's data volume, and git's smart-HTTP services on them
 * (blocking; worker threads only). Every use of a mirror holds the session's lock: a lock in this
 * process and a file lock for the replicas sharing the volume. A fetch is served from the mirror
 * right after it is brought up to date from upstream; a push is checked against the {@link
 * PushPolicy}, sent upstream, and only what upstream accepted is taken into the mirror.
 */
@ApplicationScoped
public class GitMirrors {

  /** A branch update upstream accepted. */
  public record Pushed(String branch, String previousCommit, String commit) {}

  /** Services git asks for. */
  public static final String UPLOAD_PACK = "git-upload-pack";

  public static final String RECEIVE_PACK = "git-receive-pack";

  private final GatewayConfig config;
  private final GitConfig git;
  private final Upstream upstream;
  private final Map<UUID, ReentrantLock> locks = new ConcurrentHashMap<>();

  public GitMirrors(GatewayConfig config, GitConfig git, Upstream upstream) {
    this.config = config;
    this.git = git;
    this.upstream = upstream;
  }

  /**
   * JGit's one-time costs (measuring the file system's timestamp resolution, reading the system's
   * git configuration) are paid at startup, in the background, rather than by the first clone.
   */
  void warmUp(@Observes StartupEvent ignored) {
    FS.FileStoreAttributes.setBackground(true);
    Infrastructure.getDefaultWorkerPool()
        .execute(
            () -> {
              UUID probe = UUID.randomUUID();
              try (Locked mirror = open(probe)) {
                mirror.repository().getRefDatabase().getRefs();
              } catch (IOException | RuntimeException e) {
                Log.debugf("git mirrors: warm-up failed: %s", e.getMessage());
              }
              try {
                delete(probe);
                Files.deleteIfExists(config.git().mirrorDir().resolve(probe + ".lock"));
              } catch (IOException | RuntimeException e) {
                Log.debugf("git mirrors: warm-up left %s: %s", probe, e.getMessage());
              }
            });
  }

  /** The ref advertisement of {@code service} ({@code info/refs}), after a fetch from upstream. */
  public void advertise(
      UUID sessionId,
      String sessionBranch,
      String url,
      Optional<String> credential,
      String service,
      OutputStream out)
      throws IOException {
    PacketLineOut packets = new PacketLineOut(out);
    packets.writeString("# service=" + service + "\n");
    packets.end();
    try (Locked mirror = open(sessionId)) {
      Set<String> protectedBranches = sync(mirror.repository(), url, credential);
      RefAdvertiser.PacketLineOutRefAdvertiser advertiser =
          new RefAdvertiser.PacketLineOutRefAdvertiser(packets);
      if (service.equals(UPLOAD_PACK)) {
        UploadPack pack = uploadPack(mirror.repository());
        pack.sendAdvertisedRefs(advertiser);
      } else {
        ReceivePack pack =
            receivePack(
                mirror.repository(),
                url,
                credential,
                policy(sessionId, sessionBranch, protectedBranches),
                p -> {});
        pack.sendAdvertisedRefs(advertiser);
      }
    } catch (GitProxyException e) {
      packets.writeString("ERR " + e.getMessage() + "\n");
    }
    out.flush();
  }

  /** Serves a fetch ({@code POST git-upload-pack}) from the mirror. */
  public void upload(UUID sessionId, InputStream in, OutputStream out) throws IOException {
    try (Locked mirror = open(sessionId)) {
      uploadPack(mirror.repository()).upload(in, out, null);
    }
  }

  /**
   * Takes a push ({@code POST git-receive-pack}): each update the policy allows goes upstream
   * (never forced); {@code onPushed} is told of the ones upstream accepted, before git is answered.
   */
  public void receive(
      UUID sessionId,
      String sessionBranch,
      String url,
      Optional<String> credential,
      InputStream in,
      OutputStream out,
      Consumer<List<Pushed>> onPushed)
      throws IOException {
    try (Locked mirror = open(sessionId)) {
      Set<String> protectedBranches = protectedBranches(mirror.repository());
      receivePack(
              mirror.repository(),
              url,
              credential,
              policy(sessionId, sessionBranch, protectedBranches),
              onPushed)
          .receive(in, out, null);
    }
  }

  private PushPolicy policy(UUID sessionId, String sessionBranch, Set<String> protectedBranches) {
    return PushPolicy.forSession(git.branchPrefix(), sessionId, sessionBranch, protectedBranches);
  }

  /** Deletes the session's mirror (the session ended). */
  public void delete(UUID sessionId) {
    try (Locked mirror = open(sessionId)) {
      Path dir = mirror.repository().getDirectory().toPath();
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(GitMirrors::deleteQuietly);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteQuietly(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      // left for the next cleanup
    }
  }

  private UploadPack uploadPack(Repository repository) {
    UploadPack pack = new UploadPack(repository);
    pack.setBiDirectionalPipe(false);
    pack.setTimeout((int) config.git().upstreamTimeout().toSeconds());
    return pack;
  }

  private ReceivePack receivePack(
      Repository repository,
      String url,
      Optional<String> credential,
      PushPolicy policy,
      Consumer<List<Pushed>> onPushed) {
    ReceivePack pack = new ReceivePack(repository);
    pack.setBiDirectionalPipe(false);
    pack.setAllowNonFastForwards(false);
    pack.setAllowDeletes(false);
    pack.setAtomic(false);
    pack.setTimeout((int) config.git().upstreamTimeout().toSeconds());
    // The request body is capped as it arrives, but a gzip-encoded one unpacks to more: the pack
    // itself is capped too, so a push cannot fill the mirrors' shared volume.
    pack.setMaxPackSizeLimit(config.git().maxRequestBytes());
    pack.setPreReceiveHook(
        (rp, commands) -> forward(rp, repository, url, credential, policy, commands, onPushed));
    return pack;
  }

  /** The policy, then upstream: a command either goes through both or is rejected with why. */
  private void forward(
      ReceivePack rp,
      Repository repository,
      String url,
      Optional<String> credential,
      PushPolicy policy,
      Collection<ReceiveCommand> commands,
      Consumer<List<Pushed>> onPushed) {
    List<ReceiveCommand> allowed = new ArrayList<>();
    for (ReceiveCommand command : commands) {
      Optional<String> refusal = policy.refusal(command);
      if (refusal.isPresent()) {
        command.setResult(ReceiveCommand.Result.REJECTED_OTHER_REASON, refusal.get());
      } else {
        allowed.add(command);
      }
    }
    if (allowed.isEmpty()) {
      return;
    }
    List<RemoteRefUpdate> updates = new ArrayList<>();
    try {
      for (ReceiveCommand command : allowed) {
        updates.add(
            new RemoteRefUpdate(
                repository,
                (String) null,
                command.getNewId(),
                command.getRefName(),
                false,
                null,
                command.getOldId()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    PushResult result;
    try {
      result = upstream.push(repository, url, credential, updates);
    } catch (GitProxyException e) {
      allowed.forEach(
          c -> c.setResult(ReceiveCommand.Result.REJECTED_OTHER_REASON, e.getMessage()));
      return;
    } catch (CircuitBreakerOpenException e) {
      allowed.forEach(
          c ->
              c.setResult(
                  ReceiveCommand.Result.REJECTED_OTHER_REASON,
                  Upstream.display(url) + " is unavailable right now; try again later"));
      return;
    }
    List<Pushed> pushed = new ArrayList<>();
    for (ReceiveCommand command : allowed) {
      RemoteRefUpdate update = result.getRemoteUpdate(command.getRefName());
      RemoteRefUpdate.Status status = update == null ? null : update.getStatus();
      if (status == RemoteRefUpdate.Status.OK || status == RemoteRefUpdate.Status.UP_TO_DATE) {
        pushed.add(
            new Pushed(
                command.getRefName().substring(Constants.R_HEADS.length()),
                command.getOldId().equals(ObjectId.zeroId()) ? null : command.getOldId().name(),
                command.getNewId().name()));
      } else {
        command.setResult(ReceiveCommand.Result.REJECTED_OTHER_REASON, upstreamReason(update));
      }
    }
    if (!pushed.isEmpty()) {
      onPushed.accept(pushed);
    }
  }

  private static String upstreamReason(RemoteRefUpdate update) {
    if (update == null) {
      return "the upstream repository did not answer for this branch";
    }
    String detail = update.getMessage() == null ? "" : ": " + update.getMessage();
    return switch (update.getStatus()) {
      case REJECTED_NONFASTFORWARD, REJECTED_REMOTE_CHANGED ->
          "the branch moved upstream; fetch and rebase first";
      default -> "the upstream repository refused the update" + detail;
    };
  }

  /** Brings the mirror up to date; returns the protected branches (its default one included). */
  private Set<String> sync(Repository repository, String url, Optional<String> credential)
      throws IOException {
    FetchResult result;
    try {
      result = upstream.fetch(repository, url, credential);
    } catch (CircuitBreakerOpenException e) {
      throw new GitProxyException(
          GitProxyException.Kind.UNAVAILABLE,
          Upstream.display(url) + " is unavailable right now; try again later");
    }
    Ref head = result.getAdvertisedRef(Constants.HEAD);
    if (head != null && head.isSymbolic()) {
      RefUpdate link = repository.updateRef(Constants.HEAD);
      link.disableRefLog();
      link.link(head.getTarget().getName());
    }
    return protectedBranches(repository);
  }

  private Set<String> protectedBranches(Repository repository) throws IOException {
    Set<String> branches = new HashSet<>(config.git().protectedBranches().orElse(List.of()));
    Ref head = repository.exactRef(Constants.HEAD);
    if (head != null && head.isSymbolic()) {
      branches.add(Repository.shortenRefName(head.getTarget().getName()));
    }
    return branches;
  }

  /** The session's mirror, created if needed, under its lock. */
  private Locked open(UUID sessionId) throws IOException {
    Path root = config.git().mirrorDir();
    Files.createDirectories(root);
    ReentrantLock lock = locks.computeIfAbsent(sessionId, id -> new ReentrantLock());
    lock.lock();
    FileChannel channel = null;
    try {
      channel =
          FileChannel.open(
              root.resolve(sessionId + ".lock"),
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE);
      FileLock fileLock = channel.lock();
      Path dir = root.resolve(sessionId + ".git");
      Repository repository = FileRepositoryBuilder.create(dir.toFile());
      if (!Files.exists(dir.resolve("config"))) {
        repository.create(true);
      }
      StoredConfig settings = repository.getConfig();
      settings.setString("http", null, "followRedirects", "false");
      settings.setBoolean("receive", null, "denyNonFastForwards", true);
      return new Locked(repository, fileLock, channel, lock);
    } catch (IOException | RuntimeException e) {
      if (channel != null) {
        channel.close();
      }
      lock.unlock();
      throw e;
    }
  }

  private record Locked(
      Repository repository, FileLock fileLock, FileChannel channel, ReentrantLock lock)
      implements AutoCloseable {
    @Override
    public void close() throws IOException {
      try {
        repository.close();
        fileLock.release();
        channel.close();
      } finally {
        lock.unlock();
      }
    }
  }
}
