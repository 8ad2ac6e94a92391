package dev.remoteclaude.gateway.task;

import dev.remoteclaude.common.events.TaskDispatched;
import dev.remoteclaude.gateway.announce.Announcer;
import dev.remoteclaude.gateway.announce.Announcer.Entry;
import dev.remoteclaude.gateway.gitproxy.GitAccess;
import dev.remoteclaude.gateway.log.LogTypes;
import dev.remoteclaude.gateway.provider.ExecRequest;
import dev.remoteclaude.gateway.provider.ExecResult;
import dev.remoteclaude.gateway.provider.ProviderCalls;
import dev.remoteclaude.gateway.sandbox.Sandbox;
import dev.remoteclaude.gateway.work.SafeContext;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What a task with a {@code pullRequest} option does after it succeeds: everything it changed is
 * committed on the session's working branch and pushed through the git proxy (git runs in the
 * sandbox, argv only), which announces {@code GitPushed} with the task and its option. Nothing
 * changed, or a refused push, is a notice on the stream: the task still completes, its work stays
 * in the sandbox.
 */
@ApplicationScoped
public class TaskPush {

  static final String NOTHING_CHANGED = "NOTHING_CHANGED";
  static final String PUSH_FAILED = "PUSH_FAILED";
  static final String NOT_PROXIED = "PUSH_SKIPPED";

  private static final Duration STEP_TIMEOUT = Duration.ofMinutes(5);

  private final ProviderCalls providers;
  private final GitAccess git;
  private final Announcer announcer;

  public TaskPush(ProviderCalls providers, GitAccess git, Announcer announcer) {
    this.providers = providers;
    this.git = git;
    this.announcer = announcer;
  }

  /** Commits and pushes the task's changes; never fails (a failure becomes a notice). */
  public Uni<Void> publish(
      UUID taskId, TaskDispatched task, Sandbox sandbox, Map<String, String> sessionEnv) {
    UUID sessionId = sandbox.sessionId;
    if (!GitAccess.proxied(sandbox.repositoryUrl)) {
      return notice(
          sessionId,
          taskId,
          NOT_PROXIED,
          "the repository is not reached through the git proxy (only http(s) ones are); the"
              + " task's changes stay in the sandbox, uncommitted");
    }
    Map<String, String> env = new HashMap<>(sessionEnv);
    env.put("GIT_TERMINAL_PROMPT", "0");
    String branch = git.workingBranch(sessionId);
    return git("status", "--porcelain")
        .apply(sandbox, env)
        .chain(
            status -> {
              if (!status.succeeded()) {
                return notice(
                    sessionId,
                    taskId,
                    PUSH_FAILED,
                    "git status failed in the sandbox: " + lastLine(status));
              }
              if (status.stdout().isBlank()) {
                return notice(
                    sessionId,
                    taskId,
                    NOTHING_CHANGED,
                    "the task changed no file: nothing was committed or pushed");
              }
              return commitAndPush(sandbox, env, taskId, task, branch);
            })
        .onFailure()
        .recoverWithUni(
            failure -> {
              Log.warnf("task %s: commit and push failed: %s", taskId, failure.getMessage());
              return notice(
                  sessionId,
                  taskId,
                  PUSH_FAILED,
                  "the task's changes could not be committed and pushed; they stay in the sandbox");
            });
  }

  private Uni<Void> commitAndPush(
      Sandbox sandbox, Map<String, String> env, UUID taskId, TaskDispatched task, String branch) {
    UUID sessionId = sandbox.sessionId;
    return git("rev-parse", "--abbrev-ref", "HEAD")
        .apply(sandbox, env)
        .chain(
            head ->
                head.stdout().strip().equals(branch)
                    ? Uni.createFrom().item(head)
                    : git("show-ref", "--verify", "--quiet", "refs/heads/" + branch)
                        .apply(sandbox, env)
                        .chain(
                            exists ->
                                (exists.succeeded()
                                        ? git("switch", "--quiet", branch)
                                        : git("switch", "--quiet", "-c", branch))
                                    .apply(sandbox, env)))
        .chain(switched -> step(switched, "switch to " + branch))
        .chain(() -> git("add", "-A").apply(sandbox, env))
        .chain(added -> step(added, "git add"))
        .chain(() -> git("config", "user.email").apply(sandbox, env))
        .chain(
            identity -> {
              List<String> commit = new ArrayList<>();
              if (!identity.succeeded() || identity.stdout().isBlank()) {
                commit.addAll(
                    List.of(
                        "-c", "user.name=Claude", "-c", "user.email=claude@remote-claude.invalid"));
              }
              commit.addAll(List.of("commit", "--quiet", "-m", message(task, taskId)));
              return git(commit.toArray(String[]::new)).apply(sandbox, env);
            })
        .chain(committed -> step(committed, "git commit"))
        .chain(
            () ->
                SafeContext.run(
                    () -> git.expectTaskPush(sessionId, taskId, branch, task.pullRequest())))
        // The mark is cleared whatever became of the push, a failed exec included: one left
        // behind would have the session's next push of the branch announced as this task's (and
        // its pull request opened).
        .chain(
            () ->
                git("push", "--quiet", "origin", "HEAD:refs/heads/" + branch)
                    .apply(sandbox, env)
                    .eventually(
                        () ->
                            SafeContext.run(() -> git.taskPushDone(sessionId))
                                // A push that worked stays a push that worked when only the
                                // clearing fails (the mark then lapses with the session).
                                .onFailure()
                                .recoverWithNull()))
        .chain(
            pushed ->
                pushed.succeeded()
                    ? Uni.createFrom().voidItem()
                    : notice(
                        sessionId,
                        taskId,
                        PUSH_FAILED,
                        "the push of "
                            + branch
                            + " was refused; the commit stays in the sandbox: "
                            + lastLine(pushed)));
  }

  /** The first line of the prompt, trimmed, then the task id as a trailer. */
  static String message(TaskDispatched task, UUID taskId) {
    String first =
        task.prompt() == null ? "" : task.prompt().strip().lines().findFirst().orElse("");
    first = first.strip();
    if (first.length() > 72) {
      first = first.substring(0, 72).strip();
    }
    if (first.isEmpty()) {
      first = "Changes by Claude";
    }
    return first + "\n\nRemote-Claude-Task: " + taskId;
  }

  private Uni<Void> step(ExecResult result, String what) {
    if (result.succeeded()) {
      return Uni.createFrom().voidItem();
    }
    return Uni.createFrom().failure(new IllegalStateException(what + ": " + lastLine(result)));
  }

  private interface GitStep {
    Uni<ExecResult> apply(Sandbox sandbox, Map<String, String> env);
  }

  private GitStep git(String... args) {
    List<String> argv = new ArrayList<>();
    argv.add("git");
    argv.addAll(List.of(args));
    return (sandbox, env) ->
        providers
            .exec(
                sandbox.provider,
                sandbox.providerId,
                ExecRequest.of(argv, STEP_TIMEOUT).withEnv(env))
            .chain(providers::collect);
  }

  private Uni<Void> notice(UUID sessionId, UUID taskId, String kind, String message) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("kind", kind);
    data.put("message", message);
    data.put("at", Instant.now());
    return SafeContext.run(
        () ->
            Panache.withTransaction(
                () ->
                    announcer.log(sessionId, Entry.ofTask(LogTypes.SESSION_NOTICE, taskId, data))));
  }

  /** Git's last line of complaint, with any user info of a URL (a token) removed. */
  static String lastLine(ExecResult result) {
    String text = (result.stderr() + "\n" + result.stdout()).strip();
    String[] lines = text.split("\n");
    String last = lines.length == 0 ? "" : lines[lines.length - 1];
    for (String line : lines) {
      if (line.contains("[remote rejected]") || line.contains("remote error:")) {
        last = line.strip();
        break;
      }
    }
    last = last.replaceAll("://[^/@\\s]+@", "://");
    return last.length() > 300 ? last.substring(0, 300) : last;
  }
}
