package dev.remoteclaude.infra.anthropic;

import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The stub's scripted behaviour: the first rule whose predicate matches the task's prompt decides
 * the turns of that task; turn {@code n} answers the {@code n}-th model call of the task (the
 * number of tool results since the prompt). Past the last scripted turn the stub says "Done.".
 */
public record Script(List<Rule> rules, Function<Conversation, List<Turn>> fallback) {

  /** Turns for prompts that match. */
  public record Rule(Predicate<Conversation> when, Function<Conversation, List<Turn>> turns) {}

  /** What the stub knows of a request when choosing turns. */
  public record Conversation(
      String prompt, List<String> earlierPrompts, String workingDirectory, int toolResults) {}

  /**
   * The demo the local platform runs when no API key is set: Claude writes a file, runs a command,
   * and says what it did; a follow-up in the same session shows it remembers.
   */
  public static Script demo() {
    return new Script(
        List.of(),
        conversation -> {
          if (!conversation.earlierPrompts().isEmpty()) {
            return List.of(
                Turn.text(
                    "Continuing our conversation ("
                        + conversation.earlierPrompts().size()
                        + " earlier prompt(s)). You first asked: \""
                        + conversation.earlierPrompts().get(0)
                        + "\". Now: \""
                        + conversation.prompt()
                        + "\". (This is the offline demo model.)"));
          }
          return List.of(
              Turn.write(
                  conversation.workingDirectory() + "/HELLO.md",
                  "# Hello from Claude\n\nYou asked: " + conversation.prompt() + "\n"),
              Turn.bash("ls -la"),
              Turn.text(
                  "I wrote HELLO.md and listed the workspace. (This is the offline demo model:"
                      + " set ANTHROPIC_API_KEY to talk to Claude.)"));
        });
  }
}
