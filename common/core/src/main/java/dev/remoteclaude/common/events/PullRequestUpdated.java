package dev.remoteclaude.common.events;

import java.time.Instant;
import java.util.UUID;

/**
 * A session's pull request changed: new commits pushed to it by a task, or its state changed on the
 * forge (a verified webhook). Subject and key: the session id; userId: its owner.
 *
 * @param state OPEN, DRAFT, MERGED or CLOSED
 * @param change what happened, for people: "pushed", "merged", "closed", "reopened", "review
 *     requested", ...
 * @param taskId the task whose push updated it, or null
 */
public record PullRequestUpdated(
    UUID pullRequestId,
    long number,
    String url,
    String state,
    String change,
    UUID taskId,
    Instant at)
    implements Event {}
