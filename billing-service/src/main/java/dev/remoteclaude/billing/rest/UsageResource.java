package dev.remoteclaude.billing.rest;

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

  /** Session time of the current calendar month (UTC), in seconds per session state. */
  public record UsageView(
      Instant periodStart, Instant periodEnd, Map<String, Long> sessionSeconds) {}

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
        .map(seconds -> new UsageView(start, now, seconds));
  }
}
