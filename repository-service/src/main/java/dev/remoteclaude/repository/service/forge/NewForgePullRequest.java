package dev.remoteclaude.repository.service.forge;

/** A pull request to open: from {@code head} into {@code base}. */
public record NewForgePullRequest(
    String title, String body, String head, String base, boolean draft) {}
