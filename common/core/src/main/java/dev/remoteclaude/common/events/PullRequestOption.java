package dev.remoteclaude.common.events;

/**
 * A task's request to end in a pull request: when the task succeeds, its changes are committed on
 * the session's working branch, pushed through the git proxy, and a pull request is opened (or the
 * open one updated) on the repository's forge.
 *
 * @param base the branch to merge into, or null for the repository's default branch
 * @param draft whether to open it as a draft; null means false
 * @param title the pull request's title, or null for one derived from the task
 * @param body the pull request's description, or null for one derived from the task
 */
public record PullRequestOption(String base, Boolean draft, String title, String body) {}
