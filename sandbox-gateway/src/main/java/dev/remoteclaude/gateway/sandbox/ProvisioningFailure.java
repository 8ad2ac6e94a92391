package dev.remoteclaude.gateway.sandbox;

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
}
