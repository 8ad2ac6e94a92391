package dev.remoteclaude.billing.rest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Text from outside the platform (model names, providers) is exported so no spreadsheet runs it.
 */
class CsvCellTest {

  @Test
  void aCellThatStartsLikeAFormulaIsExportedAsText() {
    assertThat(UsageViews.cell("=HYPERLINK(\"https://attacker.example\",\"x\")"))
        .isEqualTo("'=HYPERLINK(\"https://attacker.example\",\"x\")");
    assertThat(UsageViews.cell("+1+1")).isEqualTo("'+1+1");
    assertThat(UsageViews.cell("-2+3")).isEqualTo("'-2+3");
    assertThat(UsageViews.cell("@SUM(A1)")).isEqualTo("'@SUM(A1)");
    assertThat(UsageViews.cell("\tcmd")).isEqualTo("'\tcmd");
  }

  @Test
  void otherCellsAreKeptAsTheyAre() {
    assertThat(UsageViews.cell("claude-sonnet-4-5")).isEqualTo("claude-sonnet-4-5");
    assertThat(UsageViews.cell("READY")).isEqualTo("READY");
    assertThat(UsageViews.cell("")).isEmpty();
  }
}
