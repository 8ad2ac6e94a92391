package dev.remoteclaude.common.events;

import java.time.Instant;
import java.util.UUID;

/**
 * repository-service could not open or update the pull request a task asked for. Subject and key:
 * the session id; userId: its owner.
 *
 * @param code FORGE_UNAVAILABLE, AUTH_FAILED, NO_CREDENTIAL, REJECTED or NOT_SUPPORTED
 * @param reason what the user can do about it, never a credential or a stack trace
 */
public record PullRequestFailed(UUID taskId, String branch, String code, String reason, Instant at)
    implements Event {}
