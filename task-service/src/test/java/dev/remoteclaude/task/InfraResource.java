package dev.remoteclaude.task;

import dev.remoteclaude.testing.RcInfraResource;
import io.quarkus.test.common.QuarkusTestResource;

/** Gives every @QuarkusTest of this module the real PostgreSQL and Kafka (shared, started once). */
@QuarkusTestResource(RcInfraResource.class)
public class InfraResource {}
