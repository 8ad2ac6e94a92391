package dev.remoteclaude.common.testapp;

import dev.remoteclaude.testing.RcInfraResource;
import io.quarkus.test.common.QuarkusTestResource;

/** Gives every @QuarkusTest of this module the real PostgreSQL and Kafka. */
@QuarkusTestResource(RcInfraResource.class)
public class InfraResource {}
