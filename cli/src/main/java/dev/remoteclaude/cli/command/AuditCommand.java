package dev.remoteclaude.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import dev.remoteclaude.api.AuditEntryView;
import dev.remoteclaude.cli.CliContext;
import dev.remoteclaude.cli.CliException;
import dev.remoteclaude.cli.ExitCodes;
import dev.remoteclaude.cli.Json;
import dev.remoteclaude.cli.api.Api;
import dev.remoteclaude.cli.render.Format;
import dev.remoteclaude.cli.render.Table;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code rclaude audit}: your audit trail, newest first. */
@Command(
    name = "audit",
    mixinStandardHelpOptions = true,
    description = {
      "Show your audit trail, newest first: every call of yours that changed something (or was"
          + " refused), in every service, with its outcome and where it came from.",
      "Request bodies are never recorded."
    },
    footer = {
      "",
      "Examples:",
      "  rclaude audit",
      "  rclaude audit --outcome refused --from 2026-12-01",
      "  rclaude audit --target $SESSION -o json"
    })
public final class AuditCommand implements Callable<Integer> {

  static final String AUDIT = "/api/v1/audit";

  /** The outcomes the platform records. */
  enum Outcome {
    succeeded,
    refused,
    failed
  }

  private final CliContext context;

  @Option(
      names = "--from",
      paramLabel = "DATE",
      converter = UsageCommand.UsageDate.class,
      description = "first UTC day (2026-12-01) or instant (2026-12-01T00:00:00Z)")
  String from;

  @Option(
      names = "--to",
      paramLabel = "DATE",
      converter = UsageCommand.UsageDate.class,
      description = "last UTC day, included, or instant")
  String to;

  @Option(names = "--action", paramLabel = "TEXT", description = "part of the action, e.g. pause")
  String action;

  @Option(names = "--outcome", paramLabel = "OUTCOME", description = "succeeded, refused or failed")
  Outcome outcome;

  @Option(names = "--service", paramLabel = "SERVICE", description = "e.g. sandbox-gateway")
  String service;

  @Option(
      names = "--target",
      paramLabel = "ID",
      description = "the session, repository... acted on")
  String target;

  @Mixin Options.Page paging;

  AuditCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    if (paging.page < 1) {
      throw new CliException(ExitCodes.USAGE, "--page starts at 1");
    }
    JsonNode body = context.api().get(AUDIT + query());
    if (context.json()) {
      context.printJson(body);
      return ExitCodes.OK;
    }
    Table table = new Table("TIME", "ACTION", "TARGET", "OUTCOME", "SERVICE", "FROM");
    for (JsonNode item : body.path("items")) {
      AuditEntryView e = Json.convert(item, AuditEntryView.class);
      table.row(
          Format.time(e.at(), context.zone()),
          e.action(),
          target(e.target()),
          e.outcome() + " (" + e.status() + ")",
          e.service(),
          e.clientAddress() == null ? "-" : e.clientAddress());
    }
    if (table.isEmpty()) {
      context
          .out()
          .println(paging.page > 1 ? "Nothing on page " + paging.page + "." : "Nothing recorded.");
      return ExitCodes.OK;
    }
    table.print(context.out());
    long total = body.path("total").asLong();
    int size = body.path("size").asInt();
    if (size > 0 && (long) paging.page * size < total) {
      context
          .out()
          .println(
              total
                  + " in all; next: rclaude audit --page "
                  + (paging.page + 1)
                  + " (same filters)");
    }
    return ExitCodes.OK;
  }

  private static String target(Map<String, String> target) {
    if (target == null || target.isEmpty()) {
      return "-";
    }
    List<String> parts = new ArrayList<>();
    target.forEach((name, value) -> parts.add(name + "=" + value));
    return String.join(" ", parts);
  }

  private String query() {
    List<String> params = new ArrayList<>();
    params.add("page=" + (paging.page - 1));
    if (paging.size != null) {
      params.add("size=" + paging.size);
    }
    add(params, "from", from);
    add(params, "to", to);
    add(params, "action", action);
    add(params, "outcome", outcome == null ? null : outcome.name());
    add(params, "service", service);
    add(params, "target", target);
    return "?" + String.join("&", params);
  }

  private static void add(List<String> params, String name, String value) {
    if (value != null && !value.isBlank()) {
      params.add(name + "=" + Api.encode(value));
    }
  }
}
