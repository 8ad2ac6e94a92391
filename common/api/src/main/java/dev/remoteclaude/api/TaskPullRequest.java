package dev.remoteclaude.api;

import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * A task's request to end in a pull request ({@code pullRequest} of a new task): when the task
 * succeeds, what it changed is committed on the session's working branch, pushed, and a pull
 * request is opened (or the open one updated). Every field is optional.
 *
 * @param base the branch to merge into; the repository's default branch if absent
 * @param draft whether to open it as a draft (default false)
 * @param title the pull request's title; derived from the task if absent
 * @param body its description; derived from the task if absent
 */
public record TaskPullRequest(
    @Size(min = 1, max = 255)
        @Pattern(
            regexp = "(?![-/.])(?!.*(?:\\.\\.|//|/\\.|@\\{|\\.lock$|/$|\\.$))[A-Za-z0-9._/-]+",
            message = "must be a branch name such as main or release/1.2")
        String base,
    Boolean draft,
    @Size(min = 1, max = 256)
        @Pattern(regexp = "\\P{Cntrl}*", message = "must not contain control characters")
        String title,
    @Size(max = 65_536) @Pattern(regexp = "[^\\x00]*", message = "must not contain NUL characters")
        String body) {}
