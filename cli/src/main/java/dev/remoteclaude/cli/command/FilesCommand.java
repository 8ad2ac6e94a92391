package dev.remoteclaude.cli.command;

import dev.remoteclaude.cli.CliContext;
import dev.remoteclaude.cli.CliException;
import dev.remoteclaude.cli.ExitCodes;
import dev.remoteclaude.cli.api.Api;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code rclaude files get|put}: copy files out of and into a session's workspace. */
@Command(
    name = "files",
    aliases = "file",
    mixinStandardHelpOptions = true,
    description = "Copy files to and from a session's workspace.",
    subcommands = {FilesCommand.Get.class, FilesCommand.Put.class})
public final class FilesCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
  }

  static String path(UUID sessionId, String remote) {
    return "/api/v1/sessions/" + sessionId + "/files?path=" + Api.encode(remote);
  }

  /** {@code files get}. */
  @Command(
      name = "get",
      mixinStandardHelpOptions = true,
      description = "Download a workspace file, to LOCAL or (without it, or with -) to stdout.",
      footer = {
        "",
        "Examples:",
        "  rclaude files get $SESSION src/app.js   (to stdout)",
        "  rclaude files get $SESSION build/report.html report.html"
      })
  static final class Get implements Callable<Integer> {
    private final CliContext context;

    @Mixin Options.SessionId session;

    @Parameters(index = "1", paramLabel = "PATH", description = "the file in the workspace")
    String remote;

    @Parameters(
        index = "2",
        arity = "0..1",
        paramLabel = "LOCAL",
        description = "where to write it (default: stdout)")
    String local;

    Get(CliContext context) {
      this.context = context;
    }

    @Override
    public Integer call() {
      byte[] content = context.api().getBytes(path(session.id, remote));
      if (local == null || local.equals("-")) {
        context.out().write(content, 0, content.length);
        context.out().flush();
        return ExitCodes.OK;
      }
      Path target = Path.of(local);
      if (Files.isDirectory(target)) {
        target = target.resolve(Path.of(remote).getFileName().toString());
      }
      try {
        Files.write(target, content);
      } catch (IOException e) {
        throw new CliException(ExitCodes.FAILED, "cannot write " + target + ": " + e.getMessage());
      }
      if (context.json()) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("path", remote);
        result.put("file", target.toString());
        result.put("bytes", content.length);
        context.printJson(result);
      } else {
        context
            .out()
            .println("Saved " + remote + " to " + target + " (" + content.length + " bytes)");
      }
      return ExitCodes.OK;
    }
  }

  /** {@code files put}. */
  @Command(
      name = "put",
      mixinStandardHelpOptions = true,
      description = "Upload LOCAL (- for stdin) to PATH in the workspace, replacing it.",
      footer = {
        "",
        "Examples:",
        "  rclaude files put $SESSION ./fixtures/data.json test/data.json",
        "  echo 'hello' | rclaude files put $SESSION - notes/hello.txt"
      })
  static final class Put implements Callable<Integer> {
    private final CliContext context;

    @Mixin Options.SessionId session;

    @Parameters(index = "1", paramLabel = "LOCAL", description = "the local file, or - for stdin")
    String local;

    @Parameters(index = "2", paramLabel = "PATH", description = "where in the workspace")
    String remote;

    Put(CliContext context) {
      this.context = context;
    }

    @Override
    public Integer call() {
      byte[] content;
      try {
        content =
            local.equals("-") ? context.in().readAllBytes() : Files.readAllBytes(Path.of(local));
      } catch (NoSuchFileException e) {
        throw new CliException(ExitCodes.NOT_FOUND, "no such local file: " + local);
      } catch (IOException e) {
        throw new CliException(ExitCodes.FAILED, "cannot read " + local + ": " + e.getMessage());
      }
      context.api().putBytes(path(session.id, remote), content);
      if (context.json()) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("path", remote);
        result.put("bytes", content.length);
        context.printJson(result);
      } else {
        context
            .out()
            .println(
                "Wrote " + remote + " (" + content.length + " bytes) in session " + session.id);
      }
      return ExitCodes.OK;
    }
  }
}
