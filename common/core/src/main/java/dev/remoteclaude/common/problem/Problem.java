package dev.remoteclaude.common.problem;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * An RFC 9457 problem document. {@code errors} lists the request fields that were wrong; other
 * members that a problem type defines (a quota's limit, say) go in {@code extensions}.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(
    String type,
    String title,
    int status,
    String detail,
    String instance,
    List<FieldError> errors,
    @JsonIgnore Map<String, Object> extensions) {

  public static final String MEDIA_TYPE = "application/problem+json";

  /** A field of the request and what is wrong with it. */
  public record FieldError(String field, String message) {}

  @JsonAnyGetter
  public Map<String, Object> extensionMembers() {
    return extensions == null ? Map.of() : extensions;
  }
}
