package dev.remoteclaude.billing.rest;

import dev.remoteclaude.billing.TokenCounts;
import dev.remoteclaude.billing.service.MeterService;
import dev.remoteclaude.common.auth.CurrentUser;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Map;

@Path("/api/v1/billing/usage")
@Authenticated
public class UsageResource {

  /**
   * The current calendar month (UTC): session time in seconds per session state, and model tokens
   * per model as the gateway's model proxy metered them.
   */
  public record UsageView(
      Instant periodStart,
      Instant periodEnd,
      Map<String, Long> sessionSeconds,
      Map<String, TokenCounts> modelTokens) {}

  private final MeterService meter;
  private final CurrentUser user;

  public UsageResource(MeterService meter, CurrentUser user) {
    this.meter = meter;
    this.user = user;
  }

  @GET
  public Uni<UsageView> currentMonth() {
    Instant now = Instant.now();
    Instant start = YearMonth.now(ZoneOffset.UTC).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    return meter
        .secondsByState(user.id(), start, now)
        .chain(
            seconds ->
                meter
                    .tokensByModel(user.id(), start)
                    .map(byModel -> new UsageView(start, now, seconds, byModel)));
  }
}
