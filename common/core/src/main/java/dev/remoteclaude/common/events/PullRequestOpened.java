package dev.remoteclaude.common.events;

import java.time.Instant;
import java.util.UUID;

/**
 * repository-service opened a pull (merge) request on the repository's forge for a session's
 * branch. Subject and key: the session id; userId: its owner.
 *
 * @param forge GITHUB, GITLAB, BITBUCKET or GITEA
 * @param number the forge's number of the pull request (GitLab's iid)
 * @param url the pull request's page on the forge
 * @param head the session's branch
 * @param base the branch it merges into
 * @param taskId the task that asked for it, or null when a user opened it
 */
public record PullRequestOpened(
    UUID pullRequestId,
    UUID repositoryId,
    String forge,
    long number,
    String url,
    String title,
    String head,
    String base,
    boolean draft,
    UUID taskId,
    Instant at)
    implements Event {}
