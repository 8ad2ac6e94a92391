package dev.remoteclaude.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PlatformOptionsTest {

  @Test
  void theServicesStartWithTheFirstJitTierUnlessTheUserSaysOtherwise() {
    assertThat(PlatformOptions.jvmOptions(null)).containsExactly("-XX:TieredStopAtLevel=1");
    assertThat(PlatformOptions.jvmOptions("  -Xmx512m   -XX:+UseZGC "))
        .containsExactly("-Xmx512m", "-XX:+UseZGC");
    assertThat(PlatformOptions.jvmOptions("")).as("empty: the JVM's defaults").isEmpty();
  }
}
