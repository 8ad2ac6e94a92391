package dev.remoteclaude.cli.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/** What {@code rclaude login} stores: the platform's base URL and the bearer token. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StoredConfig(String url, String token) {

  public static StoredConfig empty() {
    return new StoredConfig(null, null);
  }

  @Override
  public String toString() {
    return "StoredConfig[url=" + url + ", token=" + (token == null ? "none" : "***") + "]";
  }
}
