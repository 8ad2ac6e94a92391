package dev.remoteclaude.gateway.sandbox;

import dev.remoteclaude.common.events.SandboxFailed;
import dev.remoteclaude.gateway.provider.ProviderException;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.TimeoutException;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

/** Provisioning stopped for a reason a user can act on; {@code code} is a SandboxFailed code. */
public class ProvisioningFailure extends RuntimeException {
  private final String code;

  public ProvisioningFailure(String code, String reason) {
    super(reason, null, false, false);
    this.code = code;
  }

  public String code() {
    return code;
  }

  /** What a failure while provisioning at {@code provider} tells the user. */
  static ProvisioningFailure of(String provider, Throwable failure) {
    if (failure instanceof ProvisioningFailure p) {
      return p;
    }
    if (failure instanceof CircuitBreakerOpenException) {
      return new ProvisioningFailure(
          SandboxFailed.PROVIDER_UNAVAILABLE,
          "sandbox provider '" + provider + "' is failing; try again later");
    }
    if (failure instanceof TimeoutException
        || failure instanceof org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException) {
      return new ProvisioningFailure(
          SandboxFailed.TIMEOUT, "sandbox provider '" + provider + "' did not answer in time");
    }
    if (failure instanceof ProviderException p && p.kind() == ProviderException.Kind.UNAVAILABLE) {
      return new ProvisioningFailure(
          SandboxFailed.PROVIDER_UNAVAILABLE, "sandbox provider '" + provider + "' is unavailable");
    }
    Log.errorf(failure, "provisioning at provider %s failed unexpectedly", provider);
    return new ProvisioningFailure(
        SandboxFailed.PROVIDER_ERROR, "the sandbox could not be prepared");
  }
}
