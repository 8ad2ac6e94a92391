package dev.remoteclaude.cli;

import dev.remoteclaude.cli.command.AttachCommand;
import dev.remoteclaude.cli.command.AuditCommand;
import dev.remoteclaude.cli.command.BillingCommand;
import dev.remoteclaude.cli.command.BudgetCommand;
import dev.remoteclaude.cli.command.CompletionCommand;
import dev.remoteclaude.cli.command.ExecCommand;
import dev.remoteclaude.cli.command.FilesCommand;
import dev.remoteclaude.cli.command.GitCommand;
import dev.remoteclaude.cli.command.LoginCommand;
import dev.remoteclaude.cli.command.LogoutCommand;
import dev.remoteclaude.cli.command.PlanCommand;
import dev.remoteclaude.cli.command.PrCommand;
import dev.remoteclaude.cli.command.RepoCommand;
import dev.remoteclaude.cli.command.SessionCommand;
import dev.remoteclaude.cli.command.SettingsCommand;
import dev.remoteclaude.cli.command.TaskCommand;
import dev.remoteclaude.cli.command.UsageCommand;
import dev.remoteclaude.cli.render.Format;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.reflect.Constructor;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code rclaude}: the command line client of Remote Claude. {@link #main} is the executable's
 * entry point; {@link #run(String[], PrintStream, PrintStream, Map)} runs it in-process (tests) and
 * returns the exit code instead of exiting.
 */
@Command(
    name = "rclaude",
    mixinStandardHelpOptions = true,
    versionProvider = Rclaude.Version.class,
    usageHelpAutoWidth = true,
    description = {
      "Run Claude Code in cloud sandboxes: create sessions, run tasks and watch them live,"
          + " attach, run commands, move files.",
      ""
    },
    footerHeading = "%nConfiguration:%n",
    footer = {
      "  rclaude login keeps the URL and token in ~/.config/rclaude/config.json",
      "  (mode 0600; RCLAUDE_CONFIG or XDG_CONFIG_HOME move it).",
      "  --url/--token win over RCLAUDE_URL/RCLAUDE_TOKEN, which win over the file.",
      "",
      "Start with:",
      "  rclaude login --url http://localhost:8080 --token \"$(./rc token)\"",
      "  rclaude session create --repo https://github.com/acme/app.git --wait",
      "  rclaude task run SESSION \"Add a hello world script\"",
      "",
      "Guide: docs/cli.md"
    },
    subcommands = {
      LoginCommand.class,
      LogoutCommand.class,
      SessionCommand.class,
      RepoCommand.class,
      TaskCommand.class,
      PrCommand.class,
      AttachCommand.class,
      ExecCommand.class,
      FilesCommand.class,
      GitCommand.class,
      UsageCommand.class,
      PlanCommand.class,
      BudgetCommand.class,
      BillingCommand.class,
      AuditCommand.class,
      SettingsCommand.class,
      CompletionCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Rclaude implements Runnable {

  private final CliContext context;

  @Spec CommandSpec spec;

  Rclaude(CliContext context) {
    this.context = context;
  }

  @Option(
      names = "--url",
      scope = ScopeType.INHERIT,
      paramLabel = "URL",
      description = "the platform's base URL (default: RCLAUDE_URL, then the config file)")
  void url(String url) {
    context.urlFlag(url);
  }

  @Option(
      names = "--token",
      scope = ScopeType.INHERIT,
      paramLabel = "TOKEN",
      description = "the bearer token (default: RCLAUDE_TOKEN, then the config file)")
  void token(String token) {
    context.tokenFlag(token);
  }

  @Option(
      names = "--config",
      scope = ScopeType.INHERIT,
      paramLabel = "FILE",
      description = "the config file (default: RCLAUDE_CONFIG, ~/.config/rclaude/config.json)")
  void config(Path file) {
    context.configFlag(file);
  }

  @Option(
      names = {"-o", "--output"},
      scope = ScopeType.INHERIT,
      paramLabel = "FORMAT",
      description = "text (default) or json: JSON documents, or JSON lines for streams")
  void output(OutputFormat format) {
    context.output(format);
  }

  @Option(
      names = "--no-color",
      scope = ScopeType.INHERIT,
      description = "no colours (also when NO_COLOR is set)")
  void noColor(boolean noColor) {
    context.noColor(noColor);
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
  }

  public static void main(String[] args) {
    Interruption interruption = new Interruption();
    installCtrlC(interruption);
    int code =
        new Launch(System.out, System.err, System.in, System.getenv(), interruption)
            .terminal(isTerminal())
            .run(args);
    System.out.flush();
    System.exit(code);
  }

  /** Runs the CLI in-process; returns its exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
    return new Launch(out, err, InputStream.nullInputStream(), env, new Interruption()).run(args);
  }

  /** Runs the CLI in-process with a stdin and a Ctrl-C the caller can press. */
  public static int run(
      String[] args,
      PrintStream out,
      PrintStream err,
      InputStream in,
      Map<String, String> env,
      Interruption interruption) {
    return new Launch(out, err, in, env, interruption).run(args);
  }

  /** One configured run: streams, environment, terminal, clock. */
  public static final class Launch {
    private final PrintStream out;
    private final PrintStream err;
    private final InputStream in;
    private final Map<String, String> env;
    private final Interruption interruption;
    private boolean terminal;
    private Clock clock = Clock.systemDefaultZone();

    public Launch(
        PrintStream out,
        PrintStream err,
        InputStream in,
        Map<String, String> env,
        Interruption interruption) {
      this.out = out;
      this.err = err;
      this.in = in;
      this.env = new LinkedHashMap<>(env);
      this.interruption = interruption;
    }

    public Launch terminal(boolean terminal) {
      this.terminal = terminal;
      return this;
    }

    public Launch clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    public int run(String[] args) {
      CliContext context = new CliContext(out, err, in, env, clock, interruption, terminal);
      CommandLine cli = commandLine(context);
      try {
        return cli.execute(args);
      } finally {
        context.close();
        out.flush();
        err.flush();
      }
    }
  }

  /** The picocli command tree for a context (also used for completion scripts). */
  static CommandLine commandLine(CliContext context) {
    CommandLine cli = new CommandLine(new Rclaude(context), new Factory(context));
    cli.setOut(
        new PrintWriter(new OutputStreamWriter(context.out(), context.out().charset()), true));
    cli.setErr(
        new PrintWriter(new OutputStreamWriter(context.err(), context.err().charset()), true));
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setUsageHelpAutoWidth(true);
    cli.registerConverter(UUID.class, Rclaude::id);
    cli.registerConverter(Duration.class, Rclaude::duration);
    // Defaults that differ per command, next to their help in the mixins' resource bundle
    // (command/Options.properties): the key "<qualified command>.<descriptionKey>.default".
    cli.setDefaultValueProvider(
        arg ->
            arg.messages() == null
                ? null
                : arg.messages().getString(arg.descriptionKey() + ".default", null));
    cli.setExecutionExceptionHandler(
        (exception, commandLine, parseResult) -> {
          if (exception instanceof CliException failure) {
            context.err().println("error: " + failure.getMessage());
            return failure.exitCode();
          }
          String what =
              exception.getMessage() == null
                  ? exception.getClass().getSimpleName()
                  : exception.getMessage();
          context.err().println("error: unexpected: " + what.replaceAll("\\s+", " "));
          if (context.env().containsKey("RCLAUDE_DEBUG")) {
            exception.printStackTrace(context.err());
          }
          return ExitCodes.FAILED;
        });
    cli.setParameterExceptionHandler(
        (exception, args) -> {
          CommandLine failed = exception.getCommandLine();
          context.err().println("error: " + exception.getMessage());
          CommandLine.UnmatchedArgumentException.printSuggestions(exception, context.err());
          context
              .err()
              .println(
                  "See '"
                      + failed.getCommandSpec().qualifiedName()
                      + " --help' for how to use it.");
          return ExitCodes.USAGE;
        });
    Map<String, String> exitCodes = new LinkedHashMap<>();
    for (String line : ExitCodes.HELP) {
      int colon = line.indexOf(':');
      exitCodes.put(line.substring(0, colon), line.substring(colon + 1));
    }
    cli.getCommandSpec()
        .usageMessage()
        .exitCodeListHeading("%nExit codes:%n")
        .exitCodeList(exitCodes);
    return cli;
  }

  private static UUID id(String text) {
    try {
      return UUID.fromString(text.strip());
    } catch (IllegalArgumentException e) {
      throw new CommandLine.TypeConversionException(
          "'" + text + "' is not an id (ids look like 0b7c8f9e-5d1a-4c3e-9f2b-7a6d5e4c3b2a)");
    }
  }

  private static Duration duration(String text) {
    try {
      return Format.parseDuration(text);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.TypeConversionException(e.getMessage());
    }
  }

  private static void installCtrlC(Interruption interruption) {
    try {
      sun.misc.Signal.handle(
          new sun.misc.Signal("INT"),
          signal -> {
            if (!interruption.interrupt()) {
              System.out.flush();
              System.exit(ExitCodes.DETACHED);
            }
          });
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      // no SIGINT here (or not allowed): Ctrl-C ends the JVM the default way
    }
  }

  /** Whether stdout is a terminal (JDK 22+ knows; older ones: a console exists). */
  private static boolean isTerminal() {
    java.io.Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
    } catch (ReflectiveOperationException e) {
      return true;
    }
  }

  /** Gives each command the context through its constructor. */
  private record Factory(CliContext context) implements CommandLine.IFactory {
    @Override
    public <K> K create(Class<K> type) throws Exception {
      try {
        Constructor<K> constructor = type.getDeclaredConstructor(CliContext.class);
        constructor.setAccessible(true);
        return constructor.newInstance(context);
      } catch (NoSuchMethodException e) {
        return CommandLine.defaultFactory().create(type);
      }
    }
  }

  /** {@code --version}: the jar's version. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Rclaude.class.getPackage().getImplementationVersion();
      return new String[] {
        "rclaude " + (version == null ? "(development build)" : version),
        "Java " + Runtime.version()
      };
    }
  }
}
