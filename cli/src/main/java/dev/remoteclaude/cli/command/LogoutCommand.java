package dev.remoteclaude.cli.command;

import dev.remoteclaude.cli.CliContext;
import dev.remoteclaude.cli.ExitCodes;
import dev.remoteclaude.cli.config.ConfigFile;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code rclaude logout}: forgets the stored token (the URL stays). */
@Command(
    name = "logout",
    mixinStandardHelpOptions = true,
    description = "Remove the stored token (the URL is kept).")
public final class LogoutCommand implements Callable<Integer> {

  private final CliContext context;

  LogoutCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    ConfigFile file = context.configFile();
    boolean had = file.forgetToken();
    context
        .out()
        .println(had ? "Logged out (token removed from " + file.path() + ")." : "Not logged in.");
    return ExitCodes.OK;
  }
}
