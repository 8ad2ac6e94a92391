package dev.remoteclaude.api;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Digits;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.math.BigDecimal;
import java.util.List;

/**
 * A task as the client submits it. Only the prompt is required; the rest is passed to Claude Code
 * as given. Unknown fields are refused (platform default).
 *
 * @param prompt what Claude should do (at most {@value #MAX_PROMPT_LENGTH} characters)
 * @param model the model, e.g. {@code sonnet} or {@code claude-sonnet-4-5}; the CLI's default if
 *     absent
 * @param maxTurns the most agentic turns Claude may take (1 to {@value #MAX_TURNS})
 * @param allowedTools tools Claude may use without asking, e.g. {@code Read}, {@code Bash(git:*)}
 * @param permissionMode one of {@code default}, {@code acceptEdits}, {@code bypassPermissions},
 *     {@code plan}
 * @param maxCostUsd the most the task's model answers may cost, in USD at list prices (more than 0,
 *     at most {@value #MAX_COST_USD}); once spent the task fails {@code BUDGET_EXCEEDED} and the
 *     session's next task continues its conversation. Absent: no cap of its own
 * @param pullRequest when set, the task ends in a pull request of its changes ({@link
 *     TaskPullRequest})
 */
public record NewTask(
    @NotBlank
        @Size(max = MAX_PROMPT_LENGTH)
        @Pattern(regexp = NO_NUL, message = "must not contain NUL characters")
        String prompt,
    @Size(max = 100)
        @Pattern(
            regexp = "[A-Za-z0-9][A-Za-z0-9._:\\[\\]-]*",
            message = "must be a model name such as sonnet or claude-sonnet-4-5")
        String model,
    @Min(1) @Max(MAX_TURNS) Integer maxTurns,
    @Size(max = 100)
        List<
                @NotBlank @Size(max = 200)
                @Pattern(regexp = "\\P{Cntrl}*", message = "must not contain control characters")
                String>
            allowedTools,
    @Pattern(
            regexp = "default|acceptEdits|bypassPermissions|plan",
            message = "must be one of default, acceptEdits, bypassPermissions, plan")
        String permissionMode,
    @Valid TaskPullRequest pullRequest,
    @DecimalMin(value = "0", inclusive = false)
        @DecimalMax(MAX_COST_USD)
        @Digits(integer = 5, fraction = 6)
        BigDecimal maxCostUsd) {

  public static final int MAX_PROMPT_LENGTH = 100_000;
  public static final int MAX_TURNS = 200;
  public static final String MAX_COST_USD = "10000";

  private static final String NO_NUL = "[^\\x00]*";
}
