package dev.remoteclaude.gateway.pullrequest;

import dev.remoteclaude.common.events.PullRequestFailed;
import dev.remoteclaude.common.events.PullRequestOpened;
import dev.remoteclaude.common.events.PullRequestUpdated;
import dev.remoteclaude.common.inbox.EventHandlers;
import dev.remoteclaude.common.inbox.Inbox;
import dev.remoteclaude.gateway.announce.Announcer;
import dev.remoteclaude.gateway.announce.Announcer.Entry;
import dev.remoteclaude.gateway.log.LogTypes;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * repository-service's pull request events, put on the session's stream: {@code pr.opened}, {@code
 * pr.updated}, and a {@code session.notice} ({@code PR_FAILED}) when the pull request a task asked
 * for could not be opened.
 */
@ApplicationScoped
public class PullRequestEventsListener {

  static final String FAILED_NOTICE = "PR_FAILED";

  private final Inbox inbox;
  private final EventHandlers handlers;

  public PullRequestEventsListener(Inbox inbox, Announcer announcer) {
    this.inbox = inbox;
    this.handlers =
        EventHandlers.create()
            .on(
                PullRequestOpened.class,
                (e, opened) -> {
                  Map<String, Object> data = new LinkedHashMap<>();
                  data.put("pullRequestId", opened.pullRequestId());
                  data.put("forge", opened.forge());
                  data.put("number", opened.number());
                  data.put("url", opened.url());
                  data.put("title", opened.title());
                  data.put("head", opened.head());
                  data.put("base", opened.base());
                  data.put("draft", opened.draft());
                  return announcer.log(
                      e.sessionId(), Entry.ofTask(LogTypes.PR_OPENED, opened.taskId(), data));
                })
            .on(
                PullRequestUpdated.class,
                (e, updated) -> {
                  Map<String, Object> data = new LinkedHashMap<>();
                  data.put("pullRequestId", updated.pullRequestId());
                  data.put("number", updated.number());
                  data.put("url", updated.url());
                  data.put("state", updated.state());
                  data.put("change", updated.change());
                  return announcer.log(
                      e.sessionId(), Entry.ofTask(LogTypes.PR_UPDATED, updated.taskId(), data));
                })
            .on(
                PullRequestFailed.class,
                (e, failed) -> {
                  Map<String, Object> data = new LinkedHashMap<>();
                  data.put("kind", FAILED_NOTICE);
                  data.put(
                      "message",
                      "The pull request for branch "
                          + failed.branch()
                          + " could not be opened: "
                          + failed.reason());
                  data.put("at", failed.at());
                  data.put("code", failed.code());
                  data.put("branch", failed.branch());
                  return announcer.log(
                      e.sessionId(), Entry.ofTask(LogTypes.SESSION_NOTICE, failed.taskId(), data));
                });
  }

  @Incoming("repository-events")
  public Uni<Void> onRepositoryEvent(String raw) {
    return inbox.receive(raw, handlers);
  }
}
