package dev.remoteclaude.api;

import static dev.remoteclaude.api.SessionState.FAILED;
import static dev.remoteclaude.api.SessionState.PAUSED;
import static dev.remoteclaude.api.SessionState.PAUSING;
import static dev.remoteclaude.api.SessionState.PROVISIONING;
import static dev.remoteclaude.api.SessionState.READY;
import static dev.remoteclaude.api.SessionState.RECOVERING;
import static dev.remoteclaude.api.SessionState.RESUMING;
import static dev.remoteclaude.api.SessionState.TERMINATED;
import static dev.remoteclaude.api.SessionState.TERMINATING;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every pair of states: exactly the documented moves are legal, every other one is not. */
class SessionStateTest {

  /** The state machine of issue 4, written out move by move. */
  private static final Set<List<SessionState>> LEGAL =
      Set.of(
          List.of(PROVISIONING, READY),
          List.of(PROVISIONING, FAILED),
          List.of(PROVISIONING, TERMINATING),
          List.of(PROVISIONING, RECOVERING),
          List.of(READY, PAUSING),
          List.of(READY, TERMINATING),
          List.of(READY, RECOVERING),
          List.of(READY, FAILED),
          List.of(PAUSING, PAUSED),
          List.of(PAUSING, TERMINATING),
          List.of(PAUSING, RECOVERING),
          List.of(PAUSING, FAILED),
          List.of(PAUSED, RESUMING),
          List.of(PAUSED, TERMINATING),
          List.of(PAUSED, RECOVERING),
          List.of(PAUSED, FAILED),
          List.of(RESUMING, READY),
          List.of(RESUMING, TERMINATING),
          List.of(RESUMING, RECOVERING),
          List.of(RESUMING, FAILED),
          List.of(RECOVERING, READY),
          List.of(RECOVERING, FAILED),
          List.of(RECOVERING, TERMINATING),
          List.of(TERMINATING, TERMINATED));

  static Stream<Arguments> everyPair() {
    List<Arguments> pairs = new ArrayList<>();
    for (SessionState from : SessionState.values()) {
      for (SessionState to : SessionState.values()) {
        pairs.add(Arguments.of(from, to));
      }
    }
    return pairs.stream();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("everyPair")
  void onlyDocumentedTransitionsAreLegal(SessionState from, SessionState to) {
    assertThat(from.canMoveTo(to)).isEqualTo(LEGAL.contains(List.of(from, to)));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("everyPair")
  void finalStatesGoNowhere(SessionState from, SessionState to) {
    if (from == TERMINATED || from == FAILED) {
      assertThat(from.canMoveTo(to)).isFalse();
      assertThat(from.isFinal()).isTrue();
    }
  }
}
