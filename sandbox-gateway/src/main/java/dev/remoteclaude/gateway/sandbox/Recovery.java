package dev.remoteclaude.gateway.sandbox;

import dev.remoteclaude.gateway.activity.ActivityService;
import dev.remoteclaude.gateway.provider.ProviderCalls;
import dev.remoteclaude.gateway.provider.SandboxStatus;
import dev.remoteclaude.gateway.task.TaskRun;
import dev.remoteclaude.gateway.task.TaskRunRepository;
import dev.remoteclaude.gateway.task.TaskRunner;
import dev.remoteclaude.gateway.work.VertxJobs;
import dev.remoteclaude.gateway.work.Workers;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;

/**
 * Keeps the gateway's state true across restarts and crashes, with any number of replicas:
 *
 * <ul>
 *   <li>runs owned by an instance that died end INTERRUPTED;
 *   <li>sandboxes being provisioned by an instance that died are taken over and started again;
 *   <li>stream clients and commands of dead instances stop counting as activity;
 *   <li>at start-up, READY and PAUSED sandboxes the provider no longer has are reported LOST.
 * </ul>
 *
 * Rows are claimed with {@code FOR UPDATE SKIP LOCKED}, so two instances never take the same one.
 */
@ApplicationScoped
public class Recovery {

  private static final String DEAD = "(worker IS NULL OR NOT " + Workers.ALIVE + ")";

  private final TaskRunRepository runs;
  private final SandboxRepository sandboxes;
  private final TaskRunner tasks;
  private final ProvisioningService provisioning;
  private final LifecycleService lifecycle;
  private final ActivityService activity;
  private final ProviderCalls providers;
  private final Workers workers;
  private final VertxJobs jobs;

  public Recovery(
      TaskRunRepository runs,
      SandboxRepository sandboxes,
      TaskRunner tasks,
      ProvisioningService provisioning,
      LifecycleService lifecycle,
      ActivityService activity,
      ProviderCalls providers,
      Workers workers,
      VertxJobs jobs) {
    this.runs = runs;
    this.sandboxes = sandboxes;
    this.tasks = tasks;
    this.provisioning = provisioning;
    this.lifecycle = lifecycle;
    this.activity = activity;
    this.providers = providers;
    this.workers = workers;
    this.jobs = jobs;
  }

  void onStart(@Observes StartupEvent event) {
    jobs.onContext(this::reconcile)
        .chain(() -> jobs.onContext(this::sweep))
        .subscribe()
        .with(ok -> {}, failure -> Log.errorf(failure, "start-up reconciliation failed"));
  }

  @Scheduled(
      every = "${gateway.recovery-interval:5s}",
      delayed = "2s",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  Uni<Void> periodic() {
    return jobs.onContext(this::sweep);
  }

  Uni<Void> sweep() {
    return activity
        .reclaimDeadHolders()
        .chain(this::abandonOrphanedRuns)
        .chain(this::adoptOrphanedProvisioning)
        .invoke(
            adopted -> {
              if (adopted > 0) {
                provisioning.kick();
              }
            })
        .replaceWithVoid();
  }

  private Uni<Integer> abandonOrphanedRuns() {
    return Panache.withTransaction(
        () ->
            claim(TaskRun.class, "SELECT * FROM task_run WHERE state <> 'FINISHED' AND " + DEAD)
                .chain(
                    (List<TaskRun> orphans) -> {
                      Uni<Void> chain = Uni.createFrom().voidItem();
                      // In session order: each abandon appends to its session's log, whose head
                      // rows every writer locks in that order, so no two writers deadlock.
                      List<TaskRun> ordered =
                          orphans.stream()
                              .sorted(java.util.Comparator.comparing((TaskRun r) -> r.sessionId))
                              .toList();
                      for (TaskRun run : ordered) {
                        Log.infof(
                            "task %s: its gateway instance is gone; interrupting", run.taskId);
                        chain = chain.chain(() -> tasks.abandon(run));
                      }
                      return chain.replaceWith(orphans.size());
                    }));
  }

  private Uni<Integer> adoptOrphanedProvisioning() {
    return Panache.withTransaction(
        () ->
            claim(Sandbox.class, "SELECT * FROM sandbox WHERE state = 'PROVISIONING' AND " + DEAD)
                .invoke(
                    (List<Sandbox> orphans) ->
                        orphans.forEach(
                            sandbox -> {
                              Log.infof(
                                  "session %s: taking over its provisioning", sandbox.sessionId);
                              sandbox.worker = workers.id();
                            }))
                .map(List::size));
  }

  /** Locks the matching rows no other instance has locked (FOR UPDATE SKIP LOCKED). */
  private static <T> Uni<List<T>> claim(Class<T> type, String sql) {
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(sql + " LIMIT 100 FOR UPDATE SKIP LOCKED", type)
                    .getResultList());
  }

  /** READY and PAUSED sandboxes the provider has lost are reported LOST. */
  Uni<Void> reconcile() {
    return Panache.withSession(
            () -> sandboxes.list("state in ?1", List.of(SandboxState.READY, SandboxState.PAUSED)))
        .chain(
            list -> {
              Uni<Void> chain = Uni.createFrom().voidItem();
              for (Sandbox sandbox : list) {
                if (!providers.knows(sandbox.provider) || sandbox.providerId == null) {
                  continue;
                }
                chain =
                    chain.chain(
                        () ->
                            providers
                                .status(sandbox.provider, sandbox.providerId)
                                .onFailure()
                                .recoverWithItem(SandboxStatus.RUNNING)
                                .chain(
                                    status ->
                                        status == SandboxStatus.MISSING
                                            ? markLost(sandbox)
                                            : Uni.createFrom().voidItem()));
              }
              return chain;
            });
  }

  private Uni<Void> markLost(Sandbox found) {
    return Panache.withTransaction(
        () ->
            sandboxes
                .lock(found.sessionId)
                .chain(
                    sandbox ->
                        sandbox == null
                            ? Uni.createFrom().voidItem()
                            : lifecycle.lost(
                                sandbox, "it was not found when the gateway started")));
  }
}
