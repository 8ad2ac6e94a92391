package dev.remoteclaude.billing.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import dev.remoteclaude.billing.UsageReport;
import dev.remoteclaude.billing.config.BillingConfig;
import dev.remoteclaude.billing.service.LedgerService;
import dev.remoteclaude.common.auth.CurrentUser;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.jboss.resteasy.reactive.RestResponse;

/** The caller's usage and what it cost, from the ledger. */
@Path("/api/v1/billing")
@Authenticated
public class UsageResource {

  static final String CSV = "text/csv";

  private static final CsvMapper CSV_MAPPER = new CsvMapper();

  private final LedgerService ledger;
  private final CurrentUser user;
  private final BillingConfig config;

  public UsageResource(LedgerService ledger, CurrentUser user, BillingConfig config) {
    this.ledger = ledger;
    this.user = user;
    this.config = config;
  }

  @GET
  @Path("/usage")
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "The caller's usage and cost over a range, added up by day, session, task or kind",
      description =
          "Without from and to: the current calendar month (UTC) up to now. Sessions still running"
              + " are counted up to now.")
  public Uni<UsageViews.UsageView> usage(
      @QueryParam("from") @Parameter(description = "ISO-8601 instant or UTC date") String from,
      @QueryParam("to") @Parameter(description = "ISO-8601 instant or UTC date (inclusive)")
          String to,
      @QueryParam("groupBy") @Parameter(description = "day, session, task or kind (default)")
          String groupBy) {
    UsageRange range = range(from, to, groupBy);
    return report(range)
        .map(
            report ->
                new UsageViews.UsageView(
                    report.from(),
                    report.to(),
                    report.secondsByState(),
                    report.tokensByModel(),
                    UsageViews.usd(report.totalUsd()),
                    range.groupBy().name().toLowerCase(java.util.Locale.ROOT),
                    report.groups(range.groupBy()).stream()
                        .map(UsageViews.GroupView::of)
                        .toList()));
  }

  @GET
  @Path("/usage.csv")
  @Produces(CSV)
  @Operation(
      summary = "The caller's usage as CSV",
      description =
          "One row per UTC day, session, task, kind and detail (state or model); with groupBy, one"
              + " row per group. Same range rules as /usage.")
  public Uni<RestResponse<String>> csv(
      @QueryParam("from") String from,
      @QueryParam("to") String to,
      @QueryParam("groupBy") String groupBy) {
    UsageRange range = range(from, to, groupBy);
    boolean grouped = groupBy != null && !groupBy.isBlank();
    return report(range)
        .map(
            report -> {
              String body =
                  grouped
                      ? write(
                          UsageViews.CsvGroupRow.class,
                          report.groups(range.groupBy()).stream()
                              .map(UsageViews.CsvGroupRow::of)
                              .toList())
                      : write(
                          UsageViews.CsvRow.class,
                          report.lines().stream().map(UsageViews.CsvRow::of).toList());
              return RestResponse.ResponseBuilder.ok(body, CSV + "; charset=utf-8")
                  .header(
                      HttpHeaders.CONTENT_DISPOSITION,
                      "attachment; filename=\"usage-"
                          + report.from().toString().substring(0, 10)
                          + "-"
                          + report.to().toString().substring(0, 10)
                          + ".csv\"")
                  .build();
            });
  }

  private UsageRange range(String from, String to, String groupBy) {
    Instant now = Instant.now();
    return UsageRange.parse(
        from, to, groupBy, now, LedgerService.monthStart(now), config.usage().maxRange());
  }

  private Uni<UsageReport> report(UsageRange range) {
    return ledger.report(user.id(), range.from(), range.to(), Instant.now());
  }

  private static String write(Class<?> type, List<?> rows) {
    try {
      return CSV_MAPPER.writer(CSV_MAPPER.schemaFor(type).withHeader()).writeValueAsString(rows);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("usage rows not writable as CSV", e);
    }
  }
}
