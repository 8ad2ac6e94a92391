package dev.remoteclaude.api;

import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** One page of a user's audit trail, newest first. */
@Schema(name = "AuditPage")
public record AuditPageView(List<AuditEntryView> items, int page, int size, long total) {}
