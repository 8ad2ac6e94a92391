package dev.remoteclaude.repository.service.forge;

import io.smallrye.mutiny.Uni;
import java.util.List;

/** One forge's pull request API; the implementations carry their own timeout and breaker. */
interface ForgeApi {

  Uni<ForgePullRequest> create(ForgeTarget target, String token, NewForgePullRequest request);

  /**
   * The pull requests whose head is {@code head}: every open one (closed ones too on the forges
   * that filter by head themselves; Gitea lists open ones only).
   */
  Uni<List<ForgePullRequest>> listByHead(ForgeTarget target, String token, String head);
}
