package dev.remoteclaude.gateway.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

@ConfigMapping(prefix = "gateway")
public interface GatewayConfig {

  /** The provider a session gets when it asks for none. */
  @WithDefault("local")
  String defaultProvider();

  /** How long a gateway instance owns provisioning or a task run before another may take over. */
  @WithDefault("30s")
  Duration lease();

  /** How often this instance renews its lease (gateway_worker). */
  @WithDefault("5s")
  Duration heartbeat();

  /** How often orphaned runs, provisionings and stream clients are looked for. */
  @WithDefault("5s")
  Duration recoveryInterval();

  Local local();

  Orphans orphans();

  /** What providers hold for sandboxes the gateway no longer knows is collected. */
  interface Orphans {
    /** How often (read by the scheduler as {@code gateway.orphans.interval}). */
    @WithDefault("10m")
    Duration interval();

    /** Only what is older than this is collected (a sandbox being created is not yet recorded). */
    @WithDefault("1h")
    Duration grace();
  }

  Kubernetes kubernetes();

  Exec exec();

  Claude claude();

  ModelProxy modelProxy();

  /**
   * The model proxy: Claude Code in a sandbox talks to it, never to the model's API directly. It
   * takes a short-lived token scoped to one task run and injects the platform's key upstream, so
   * that the key never enters a sandbox.
   */
  interface ModelProxy {
    /** The interface it listens on ({@code 0.0.0.0} in a pod, loopback on a workstation). */
    @WithDefault("127.0.0.1")
    String host();

    /** Its own port, apart from the API's: a sandbox may reach this port and nothing else. */
    @WithDefault("8095")
    int port();

    /**
     * The URL sandboxes reach it at (ANTHROPIC_BASE_URL in them); by default {@code
     * http://127.0.0.1:<port>}, which local sandboxes reach through their private network.
     */
    Optional<String> sandboxUrl();

    /** The model API it forwards to when {@code gateway.claude.base-url} is not set. */
    @WithDefault("https://api.anthropic.com")
    String upstream();

    /** Largest request body it forwards (the Messages API's own limit is 32 MB). */
    @WithDefault("33554432")
    long maxRequestBytes();

    /** How long the upstream may stay silent (no byte) before the request fails. */
    @WithDefault("10m")
    Duration idleTimeout();

    /**
     * Requests one run's token may have in flight at once; more are answered 429 (rate_limit_error,
     * with retry-after), which Claude Code waits out and retries.
     */
    @WithDefault("4")
    int maxConcurrentPerToken();

    /**
     * What the proxy reserves (US dollars) for each request of a session in flight while a budget
     * applies: a second request is let in at once only while every cap still covers what is spent
     * plus this much (or the session's largest answer so far, if larger) for it and each one in
     * flight; otherwise it waits until the one in flight has ended and been counted. So a task runs
     * past its cap by one answer at most, however many it asks at once.
     */
    @WithDefault("0.50")
    java.math.BigDecimal budgetReserveUsd();
  }

  Provisioning provisioning();

  Repository repository();

  Git git();

  /**
   * The git proxy (on the model proxy's port): sandboxes fetch and push through it with a token of
   * their session; it holds the repository's real credential.
   */
  interface Git {
    /** Branches never pushed to, besides the repository's default branch. */
    Optional<List<String>> protectedBranches();

    /** Where the per-session bare mirrors live (shared by the gateway's replicas). */
    @WithDefault("${gateway.local.root}/git-mirrors")
    Path mirrorDir();

    /** Largest request body (a push's pack) the proxy accepts. */
    @WithDefault("268435456")
    long maxRequestBytes();

    /**
     * How long a fetch from or a push to the upstream repository may wait for the host: to connect,
     * and then for each next piece of its answer (not a bound on the whole transfer).
     */
    @WithDefault("5m")
    Duration upstreamTimeout();

    /**
     * Who a commit made through the session git endpoints is by when the sandbox's git has no
     * identity of its own ({@code user.name}/{@code user.email} unset).
     */
    Committer committer();

    interface Committer {
      @WithDefault("Remote Claude")
      String name();

      @WithDefault("claude@remote-claude.invalid")
      String email();
    }
  }

  Stream stream();

  Files files();

  Snapshots snapshots();

  /** The embedded provider: a directory and a process tree per sandbox on this host. */
  interface Local {
    /** Where sandboxes and snapshots live. */
    Path root();

    /** {@code auto} (bubblewrap when installed), {@code bubblewrap}, or {@code none}. */
    @WithDefault("auto")
    String isolation();

    /**
     * A sandbox's network, with bubblewrap: each sandbox has its own network namespace (a private
     * loopback), reaching out through pasta ({@code pasta}), not at all ({@code none}), or sharing
     * the host's network ({@code host}, unisolated). {@code auto}: pasta when installed, else none.
     */
    @WithDefault("auto")
    String network();

    /**
     * Ports of this host's loopback a sandbox may reach through pasta (besides the model proxy's,
     * added when its sandbox URL is on loopback). Nothing else of the host is.
     */
    Optional<java.util.List<Integer>> hostPorts();

    /**
     * The host user that sandbox processes run as when the gateway runs as root (never root itself:
     * root is exempt from the process limit and owns the host's files).
     */
    @WithDefault("200000")
    int runAsUid();

    Limits limits();

    /** What one sandbox may use of the host. */
    interface Limits {
      /** Holds each sandbox in a cgroup of its own when the host lets the gateway (see docs). */
      @WithDefault("true")
      boolean cgroups();

      /** Memory of all the sandbox's processes together (cgroups; not enforced without them). */
      @WithDefault("4G")
      io.quarkus.runtime.configuration.MemorySize memory();

      /** Processes and threads of the sandbox together. */
      @WithDefault("1024")
      int processes();

      /** CPU time as a number of cores (cgroups; not enforced without them). */
      @WithDefault("1.0")
      double cpus();

      /** The size of the sandbox's /tmp (memory-backed). */
      @WithDefault("512M")
      io.quarkus.runtime.configuration.MemorySize tmp();

      /** The largest file a sandbox process may write. */
      @WithDefault("4G")
      io.quarkus.runtime.configuration.MemorySize fileSize();

      /**
       * The size of the sandbox's own disk (workspace and home), a loop-mounted image; needs root
       * (without it, only {@code file-size} holds). 0 (the default): none, the sandboxes write to
       * the host's file system under {@code root}.
       */
      @WithDefault("0")
      io.quarkus.runtime.configuration.MemorySize disk();

      /** Commands (and file operations, and Claude) running at once in one sandbox. */
      @WithDefault("16")
      int concurrentCommands();
    }
  }

  /**
   * The {@code kubernetes} provider: a sandbox is a Pod on a PersistentVolumeClaim (workspace and
   * home) with its own NetworkPolicy, in its own namespace. Off unless {@code enabled}.
   */
  interface Kubernetes {
    /** Makes the provider available (sessions choose it by the name {@code kubernetes}). */
    @WithDefault("false")
    boolean enabled();

    /** The namespace sandboxes live in (never the gateway's own). */
    @WithDefault("remote-claude-sandboxes")
    String namespace();

    /** The sandbox image: a shell, coreutils, tar, git and Claude Code, run as {@code uid}. */
    @WithDefault("remote-claude/sandbox:0.1.0-SNAPSHOT")
    String image();

    @WithDefault("IfNotPresent")
    String imagePullPolicy();

    /**
     * e.g. {@code gvisor} or {@code kata}: a RuntimeClass of the cluster for VM-level isolation.
     */
    Optional<String> runtimeClassName();

    /** The user (and group) every process of the sandbox runs as; never 0. */
    @WithDefault("1000")
    long uid();

    /** The StorageClass of the sandboxes' volumes; empty = the cluster's default. */
    Optional<String> storageClassName();

    /** Size of each sandbox's volume (workspace and home). */
    @WithDefault("10Gi")
    String storage();

    /** Defaults of each sandbox's container; a spec's cpus/memoryMb set the limits instead. */
    @WithDefault("250m")
    String cpuRequest();

    @WithDefault("2")
    String cpuLimit();

    @WithDefault("512Mi")
    String memoryRequest();

    @WithDefault("4Gi")
    String memoryLimit();

    /** Size of the sandbox's /tmp (an emptyDir; gone when the pod is). */
    @WithDefault("1Gi")
    String tmpSize();

    /** The Claude Code CLI inside the sandbox image. */
    @WithDefault("claude")
    String claudeCommand();

    /** How long a new pod may take to be ready (image pull, volume attach). */
    @WithDefault("3m")
    Duration startTimeout();

    /**
     * The gateway's own namespace: sandboxes may reach its pods there on the model proxy's port
     * ({@code model-proxy-port}, the same as {@code gateway.model-proxy.port}) and nothing else in
     * the cluster. Without it sandboxes cannot reach the model.
     */
    Optional<String> gatewayNamespace();

    @WithDefault("8095")
    int modelProxyPort();

    /** Egress is to 0.0.0.0/0 except these (cluster, private, link-local and CGNAT ranges). */
    @WithDefault("10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,169.254.0.0/16,100.64.0.0/10")
    java.util.List<String> blockedEgress();

    /** {@code archive} (tar.gz into {@code archive-dir}) or {@code volume-snapshot}. */
    @WithDefault("archive")
    String snapshots();

    /** Where archive snapshots are kept (a volume every gateway replica sees). */
    Path archiveDir();

    /** The VolumeSnapshotClass of volume snapshots; empty = the cluster's default. */
    Optional<String> volumeSnapshotClass();
  }

  interface Exec {
    @WithDefault("60s")
    Duration defaultTimeout();

    @WithDefault("30m")
    Duration maxTimeout();

    /** Output kept per stream of a buffered command; the rest is dropped and flagged truncated. */
    @WithDefault("1048576")
    int maxOutputBytes();

    /**
     * Short commands of a session that end within this window of the first are announced to
     * session-service as one activity event at the window's end.
     */
    @WithDefault("1s")
    Duration activityWindow();
  }

  interface Claude {
    /** The Claude Code CLI on this host (mounted into local sandboxes). */
    Path binary();

    /** The platform's key for the model API: the model proxy adds it upstream, nothing else. */
    Optional<String> apiKey();

    /** The model API the proxy forwards to, e.g. the local Messages API stub. */
    Optional<String> baseUrl();

    @WithDefault("bypassPermissions")
    String defaultPermissionMode();

    @WithDefault("30m")
    Duration taskTimeout();

    /** Price per million input and output tokens by model, for the live cost meter. */
    @WithDefault("3.00")
    BigDecimal inputPricePerMillion();

    @WithDefault("15.00")
    BigDecimal outputPricePerMillion();

    /** Extra environment for Claude (e.g. CLAUDE_CODE_MAX_RETRIES in tests). */
    Map<String, String> env();
  }

  /**
   * Where a repository may be cloned from. Right before each clone the host is resolved again and
   * refused if any address is loopback, link-local, private or otherwise internal; the clone is
   * pinned to the addresses checked, and git follows no redirect.
   */
  interface Repository {
    /** Whether internal hosts may be cloned from (dev, local and test profiles only). */
    @WithDefault("false")
    boolean allowPrivateHosts();

    /** How long the lookup may take; a host that does not answer in time is not cloned. */
    @WithDefault("5s")
    Duration resolveTimeout();
  }

  interface Provisioning {
    @WithDefault("5m")
    Duration cloneTimeout();

    @WithDefault("10m")
    Duration setupTimeout();
  }

  interface Stream {
    /**
     * Bytes (characters of the JSON messages) a subscriber may have waiting to be written before it
     * is closed as too slow (code 4008; it resumes with {@code ?after=} its last seq).
     */
    @WithDefault("4M")
    io.quarkus.runtime.configuration.MemorySize subscriberBufferBytes();

    /** Streams one user may have open at once on one gateway replica. */
    @WithDefault("64")
    int maxStreamsPerUser();

    /**
     * How long a stream request for a session this gateway does not know as the caller's waits for
     * it to become known (a session created a moment ago) before it is refused with 404. Requests
     * for another user's session wait as long, so the two look the same.
     */
    @WithDefault("60s")
    Duration attachWait();

    /** Stream requests waiting that way at once, per user (more are refused with 429). */
    @WithDefault("8")
    int maxWaitingPerUser();

    /** Stream requests waiting that way at once, all users together. */
    @WithDefault("1024")
    int maxWaiting();

    @WithDefault("15s")
    Duration heartbeat();

    /** Rows read per replay query. */
    @WithDefault("500")
    int replayBatch();
  }

  /** How many snapshots a session keeps, and how large one may be (every provider). */
  interface Snapshots {
    /**
     * The newest snapshots kept per session (at least 1); once a newer one is stored, older ones
     * are deleted, except one a sandbox still names as its last snapshot or the one it restores
     * from.
     */
    @WithDefault("3")
    int keep();

    /**
     * The largest snapshot archive, in bytes (5 GiB): archiving stops at this size and the snapshot
     * fails and is not kept. Volume snapshots are bounded by their volume's size instead.
     */
    @WithDefault("5368709120")
    long maxBytes();

    /** How long after a failed deletion it is tried again; doubled per failure, up to an hour. */
    @WithDefault("1m")
    Duration deleteRetryDelay();
  }

  interface Files {
    @WithDefault("5242880")
    int maxBytes();
  }

  Uploads uploads();

  /**
   * Requests with a large body (file uploads, commands) are buffered in memory before they are
   * handled; only so many at once, the others are refused with 503 and Retry-After.
   */
  interface Uploads {
    /** A request whose body is larger than this (or of unknown length) is a large one. */
    @WithDefault("64K")
    io.quarkus.runtime.configuration.MemorySize largeBytes();

    /** Large requests handled at once by one gateway replica. */
    @WithDefault("16")
    int maxConcurrent();

    /** The Retry-After of a refused large request. */
    @WithDefault("2s")
    Duration retryAfter();
  }

  Log log();

  /** The session output log's writer. */
  interface Log {
    /**
     * Bytes of events waiting to be written to the log (or being written). A producer that may
     * block (a process's output reader) waits until there is room, which slows the process down;
     * one that may not gets a clear failure. Nothing is dropped silently.
     */
    @WithDefault("32M")
    io.quarkus.runtime.configuration.MemorySize maxPendingBytes();

    /**
     * The longest line of Claude's output kept; the rest of a longer line is dropped and the line
     * ends with a marker saying how many bytes were dropped.
     */
    @WithDefault("1M")
    io.quarkus.runtime.configuration.MemorySize maxLineBytes();
  }
}
