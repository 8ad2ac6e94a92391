package dev.remoteclaude.cli.command;

import dev.remoteclaude.cli.CliContext;
import dev.remoteclaude.cli.ExitCodes;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code rclaude completion bash}: the shell completion script (bash; zsh via bashcompinit). */
@Command(
    name = "completion",
    mixinStandardHelpOptions = true,
    description = "Print the shell completion script (bash; zsh loads it too).",
    footer = {
      "",
      "Install:",
      "  source <(rclaude completion bash)          (this shell only)",
      "  rclaude completion bash \\",
      "      > ~/.local/share/bash-completion/completions/rclaude",
      "  zsh: autoload -U +X bashcompinit && bashcompinit",
      "       source <(rclaude completion zsh)"
    })
public final class CompletionCommand implements Callable<Integer> {

  private final CliContext context;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(
      arity = "0..1",
      defaultValue = "bash",
      paramLabel = "SHELL",
      description = "bash (default) or zsh")
  String shell;

  CompletionCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    if (!shell.equals("bash") && !shell.equals("zsh")) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "no completion for '" + shell + "': bash or zsh");
    }
    context.out().print(AutoComplete.bash("rclaude", spec.root().commandLine()));
    context.out().flush();
    return ExitCodes.OK;
  }
}
