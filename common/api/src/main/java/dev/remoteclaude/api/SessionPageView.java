package dev.remoteclaude.api;

import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** One page of sessions, newest first. */
@Schema(name = "SessionPage")
public record SessionPageView(List<SessionView> items, int page, int size, long total) {}
