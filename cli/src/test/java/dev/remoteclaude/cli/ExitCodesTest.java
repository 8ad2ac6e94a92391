package dev.remoteclaude.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ExitCodesTest {

  @ParameterizedTest(name = "HTTP {0} -> exit {1}")
  @CsvSource({
    "400, 6", "401, 3", "402, 7", "403, 3", "404, 4", "409, 5", "413, 6", "415, 6", "422, 6",
    "429, 7", "500, 8", "502, 8", "503, 8", "504, 8", "418, 1"
  })
  void httpStatusesMapToExitCodes(int status, int exitCode) {
    assertThat(ExitCodes.forStatus(status)).isEqualTo(exitCode);
  }

  @ParameterizedTest
  @CsvSource({"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "124", "130"})
  void everyExitCodeIsDocumentedInTheHelp(String code) {
    assertThat(ExitCodes.HELP).anyMatch(line -> line.startsWith(code + ":"));
  }
}
