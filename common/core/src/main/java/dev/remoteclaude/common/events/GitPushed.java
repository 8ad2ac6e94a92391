package dev.remoteclaude.common.events;

import java.time.Instant;
import java.util.UUID;

/**
 * The gateway's git proxy accepted a push from a session's sandbox and the upstream repository took
 * it. Subject and key: the session id; userId: the session's owner.
 *
 * @param repositoryUrl the upstream repository the branch was pushed to (no credentials in it)
 * @param branch the branch name, without {@code refs/heads/}
 * @param commit the commit the branch now points at
 * @param previousCommit the commit it pointed at before, or null for a new branch
 * @param taskId the task whose success produced this push, or null for a push from inside the
 *     sandbox or through the API
 * @param pullRequest set when that task asked for a pull request (the repository-service opens or
 *     updates it); null otherwise
 */
public record GitPushed(
    String repositoryUrl,
    String branch,
    String commit,
    String previousCommit,
    UUID taskId,
    PullRequestOption pullRequest,
    Instant at)
    implements Event {}
