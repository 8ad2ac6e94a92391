package dev.remoteclaude.gateway.support;

import dev.remoteclaude.gateway.provider.local.LocalSandboxProvider;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The local provider, as an image without Claude Code would be: everything works except that the
 * CLI is not where the provider says it is.
 */
@ApplicationScoped
public class WithoutClaudeProvider extends DelegatingProvider {

  public WithoutClaudeProvider(LocalSandboxProvider local) {
    super(local);
  }

  @Override
  public String name() {
    return "without-claude";
  }

  @Override
  public String claudeCommand() {
    return "/opt/claude/bin/not-installed";
  }
}
