package dev.remoteclaude.session.repository;

import dev.remoteclaude.session.AuditEntry;
import dev.remoteclaude.session.AuditQuery;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** The audit trail's rows: added once per event, read per user, deleted only past retention. */
@ApplicationScoped
@WithSession
public class AuditRepository implements PanacheRepositoryBase<AuditEntry, UUID> {

  private static final String INSERT =
      "INSERT INTO audit_entry (event_id, user_id, at, service, action, target, target_id,"
          + " status, outcome, client_address, user_agent)"
          + " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
          + " ON CONFLICT (event_id) DO NOTHING";

  /** Adds an entry; one already there (a redelivered event) is left as it is. */
  public Uni<Void> add(AuditEntry entry) {
    return getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(INSERT)
                    .setParameter(1, entry.eventId)
                    .setParameter(2, entry.userId)
                    .setParameter(3, entry.at)
                    .setParameter(4, entry.service)
                    .setParameter(5, entry.action)
                    .setParameter(6, entry.target)
                    .setParameter(7, entry.targetId)
                    .setParameter(8, entry.status)
                    .setParameter(9, entry.outcome)
                    .setParameter(10, entry.clientAddress)
                    .setParameter(11, entry.userAgent)
                    .executeUpdate())
        .replaceWithVoid();
  }

  /** A page of the entries the filter selects, newest first. */
  public Uni<List<AuditEntry>> page(AuditQuery filter, int pageIndex, int pageSize) {
    Query query = query(filter);
    return find(
            query.where(),
            Sort.descending("at").and("eventId", Sort.Direction.Descending),
            query.parameters())
        .page(Page.of(pageIndex, pageSize))
        .list();
  }

  public Uni<Long> count(AuditQuery filter) {
    Query query = query(filter);
    return count(query.where(), query.parameters());
  }

  /** Deletes the entries recorded before {@code cutoff}; returns how many. */
  public Uni<Long> deleteBefore(Instant cutoff) {
    return delete("at < ?1", cutoff);
  }

  private record Query(String where, Parameters parameters) {}

  private static Query query(AuditQuery filter) {
    List<String> clauses = new ArrayList<>();
    Parameters parameters = Parameters.with("user", filter.userId());
    clauses.add("userId = :user");
    if (filter.from() != null) {
      clauses.add("at >= :from");
      parameters.and("from", filter.from());
    }
    if (filter.to() != null) {
      clauses.add("at < :to");
      parameters.and("to", filter.to());
    }
    if (filter.action() != null) {
      clauses.add("locate(lower(:action), lower(action)) > 0");
      parameters.and("action", filter.action());
    }
    if (filter.outcome() != null) {
      clauses.add("outcome = :outcome");
      parameters.and("outcome", filter.outcome());
    }
    if (filter.service() != null) {
      clauses.add("service = :service");
      parameters.and("service", filter.service());
    }
    if (filter.targetId() != null) {
      clauses.add("targetId = :target");
      parameters.and("target", filter.targetId());
    }
    return new Query(String.join(" and ", clauses), parameters);
  }
}
