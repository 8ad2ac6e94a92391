package dev.remoteclaude.gateway;

import dev.remoteclaude.gateway.support.GatewayTestResource;
import dev.remoteclaude.testing.RcInfraResource;
import io.quarkus.test.common.QuarkusTestResource;

/** Gives every @QuarkusTest of this module the real PostgreSQL and Kafka and the Claude stub. */
@QuarkusTestResource(RcInfraResource.class)
@QuarkusTestResource(GatewayTestResource.class)
public class InfraResource {}
