package dev.remoteclaude.common.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SecretBoxTest {

  private final String k1 = SecretBox.newKey();
  private final String k2 = SecretBox.newKey();

  @Test
  void sealedValueOpensInItsContextOnly() {
    SecretBox box = new SecretBox("k1", Map.of("k1", k1));
    String sealed = box.seal("ghp_secret", "session/1/env/TOKEN");

    assertThat(sealed).startsWith("k1:").doesNotContain("ghp_secret");
    assertThat(box.open(sealed, "session/1/env/TOKEN")).isEqualTo("ghp_secret");
    assertThatThrownBy(() -> box.open(sealed, "session/2/env/TOKEN"))
        .isInstanceOf(SecretBox.SecretException.class)
        .hasMessageNotContaining("ghp_secret");
  }

  @Test
  void sealingTwiceGivesDifferentCiphertexts() {
    SecretBox box = new SecretBox("k1", Map.of("k1", k1));
    assertThat(box.seal("same", "c")).isNotEqualTo(box.seal("same", "c"));
  }

  @Test
  void tamperedValueIsRefused() {
    SecretBox box = new SecretBox("k1", Map.of("k1", k1));
    String sealed = box.seal("value", "c");
    char last = sealed.charAt(sealed.length() - 3);
    String tampered =
        sealed.substring(0, sealed.length() - 3)
            + (last == 'A' ? 'B' : 'A')
            + sealed.substring(sealed.length() - 2);
    assertThatThrownBy(() -> box.open(tampered, "c")).isInstanceOf(SecretBox.SecretException.class);
    assertThatThrownBy(() -> box.open("garbage", "c"))
        .isInstanceOf(SecretBox.SecretException.class);
  }

  @Test
  void rotatedKeysStillOpenOldValues() {
    String old = new SecretBox("k1", Map.of("k1", k1)).seal("value", "c");
    SecretBox rotated = new SecretBox("k2", Map.of("k1", k1, "k2", k2));
    assertThat(rotated.open(old, "c")).isEqualTo("value");
    assertThat(rotated.seal("value", "c")).startsWith("k2:");
    assertThatThrownBy(() -> new SecretBox("k2", Map.of("k2", k2)).open(old, "c"))
        .isInstanceOf(SecretBox.SecretException.class);
  }
}
