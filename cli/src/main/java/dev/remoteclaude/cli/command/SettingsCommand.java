package dev.remoteclaude.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import dev.remoteclaude.cli.CliContext;
import dev.remoteclaude.cli.CliException;
import dev.remoteclaude.cli.ExitCodes;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code rclaude settings set|show}: your own settings (the default provider of your sessions). */
@Command(
    name = "settings",
    mixinStandardHelpOptions = true,
    description = {
      "Your settings. default-provider: the sandbox provider of sessions you create without"
          + " --provider ('auto' lets the platform pick one that is up; 'none' goes back to the"
          + " platform's default)."
    },
    subcommands = {SettingsCommand.Set.class, SettingsCommand.Show.class})
public final class SettingsCommand implements Runnable {

  static final String SETTINGS = "/api/v1/settings";

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "a subcommand is required");
  }

  /** {@code settings set default-provider VALUE}. */
  @Command(
      name = "set",
      mixinStandardHelpOptions = true,
      description = "Set one setting.",
      footer = {
        "",
        "Examples:",
        "  rclaude settings set default-provider auto",
        "  rclaude settings set default-provider none"
      })
  static final class Set implements Callable<Integer> {
    private final CliContext context;

    @Parameters(index = "0", paramLabel = "NAME", description = "default-provider")
    String name;

    @Parameters(index = "1", paramLabel = "VALUE", description = "a provider, auto, or none")
    String value;

    Set(CliContext context) {
      this.context = context;
    }

    @Override
    public Integer call() {
      if (!"default-provider".equals(name)) {
        throw new CliException(
            ExitCodes.USAGE, "unknown setting '" + name + "' (default-provider)");
      }
      Map<String, Object> body = new HashMap<>();
      body.put("defaultProvider", value.equalsIgnoreCase("none") ? null : value);
      print(context, context.api().put(SETTINGS, body));
      return ExitCodes.OK;
    }
  }

  /** {@code settings show}. */
  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Show your settings.",
      footer = {"", "Examples:", "  rclaude settings show", "  rclaude settings show -o json"})
  static final class Show implements Callable<Integer> {
    private final CliContext context;

    Show(CliContext context) {
      this.context = context;
    }

    @Override
    public Integer call() {
      print(context, context.api().get(SETTINGS));
      return ExitCodes.OK;
    }
  }

  private static void print(CliContext context, JsonNode body) {
    if (context.json()) {
      context.printJson(body);
      return;
    }
    Details details = new Details();
    JsonNode own = body.path("defaultProvider");
    details.add(
        "Default provider",
        own.isTextual()
            ? own.asText()
            : "none (the platform's: " + body.path("effectiveDefaultProvider").asText() + ")");
    StringBuilder allowed = new StringBuilder();
    for (JsonNode provider : body.path("allowedProviders")) {
      allowed.append(allowed.isEmpty() ? "" : ", ").append(provider.asText());
    }
    details.add("Allowed providers", allowed.toString());
    details.print(context.out());
  }
}
