package dev.remoteclaude.repository.service.forge;

import dev.remoteclaude.repository.PullRequest;

/** A pull request as a forge answers it, in this service's terms. */
public record ForgePullRequest(
    long number,
    String url,
    PullRequest.State state,
    String title,
    String head,
    String base,
    boolean draft) {

  public boolean isOpen() {
    return state == PullRequest.State.OPEN || state == PullRequest.State.DRAFT;
  }
}
