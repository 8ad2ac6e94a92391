package dev.remoteclaude.api;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * The life of a session. The gateway's events drive most moves; users pause, resume and terminate;
 * the timers pause idle sessions and end expired ones.
 *
 * <pre>
 * PROVISIONING → READY ⇄ (PAUSING → PAUSED → RESUMING) → TERMINATING → TERMINATED
 * any live state → FAILED (with a reason) or RECOVERING (sandbox lost) → READY
 * </pre>
 */
public enum SessionState {
  PROVISIONING,
  READY,
  PAUSING,
  PAUSED,
  RESUMING,
  TERMINATING,
  TERMINATED,
  FAILED,
  RECOVERING;

  /**
   * The state with this name, if this code knows it: services that keep another service's state as
   * sent (read models, events) ask with it instead of comparing strings.
   */
  public static Optional<SessionState> named(String name) {
    return Arrays.stream(values()).filter(state -> state.name().equals(name)).findFirst();
  }

  /** Where a session may go from this state. */
  public Set<SessionState> next() {
    return switch (this) {
      case PROVISIONING -> EnumSet.of(READY, FAILED, TERMINATING, RECOVERING);
      case READY -> EnumSet.of(PAUSING, TERMINATING, RECOVERING, FAILED);
      case PAUSING -> EnumSet.of(PAUSED, TERMINATING, RECOVERING, FAILED);
      case PAUSED -> EnumSet.of(RESUMING, TERMINATING, RECOVERING, FAILED);
      case RESUMING -> EnumSet.of(READY, TERMINATING, RECOVERING, FAILED);
      case RECOVERING -> EnumSet.of(READY, FAILED, TERMINATING);
      case TERMINATING -> EnumSet.of(TERMINATED);
      case TERMINATED, FAILED -> EnumSet.noneOf(SessionState.class);
    };
  }

  public boolean canMoveTo(SessionState target) {
    return next().contains(target);
  }

  /** Nothing happens to a session in a final state any more. */
  public boolean isFinal() {
    return this == TERMINATED || this == FAILED;
  }

  /** Neither final nor on its way out: it can be extended, and its lifetime runs. */
  public boolean isLive() {
    return !isFinal() && this != TERMINATING;
  }

  /** Holds (or is getting) a running sandbox: what the active-sessions quota counts. */
  public boolean countsAsActive() {
    return this == PROVISIONING || this == READY || this == RESUMING || this == RECOVERING;
  }

  /** The states counted by the active-sessions quota. */
  public static Set<SessionState> active() {
    EnumSet<SessionState> out = EnumSet.noneOf(SessionState.class);
    for (SessionState state : values()) {
      if (state.countsAsActive()) {
        out.add(state);
      }
    }
    return out;
  }
}
