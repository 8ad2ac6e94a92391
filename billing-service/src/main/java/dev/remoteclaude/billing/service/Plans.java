package dev.remoteclaude.billing.service;

import dev.remoteclaude.billing.Plan;
import dev.remoteclaude.billing.config.BillingConfig;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The configured plans ({@code billing.plans.*}); the default plan must be one of them. */
@ApplicationScoped
@Startup
public class Plans {

  private final Map<String, Plan> plans = new TreeMap<>();
  private final Plan defaultPlan;

  public Plans(BillingConfig config) {
    config
        .plans()
        .forEach(
            (name, plan) ->
                plans.put(
                    name,
                    new Plan(name, plan.maxActiveSessions(), plan.sessionHoursPerMonth() * 3600L)));
    defaultPlan = plans.get(config.defaultPlan());
    if (defaultPlan == null) {
      throw new IllegalStateException(
          "billing.default-plan "
              + config.defaultPlan()
              + " is not among billing.plans "
              + plans.keySet());
    }
  }

  public Optional<Plan> named(String name) {
    return Optional.ofNullable(plans.get(name));
  }

  /** The plan of a user billing has not seen yet, and of an account whose plan was removed. */
  public Plan defaultPlan() {
    return defaultPlan;
  }

  /** The account's plan; the default one if the plan was removed from the configuration. */
  public Plan of(String name) {
    return named(name).orElse(defaultPlan);
  }

  public java.util.Set<String> names() {
    return plans.keySet();
  }
}
