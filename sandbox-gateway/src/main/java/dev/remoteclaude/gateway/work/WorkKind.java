package dev.remoteclaude.gateway.work;

import java.util.regex.Pattern;

/**
 * A kind of leased work: the rows of one table that match {@code pending}, each worked on by one
 * live gateway instance at a time (the instance named in the row's {@code worker} column, while its
 * lease in {@code gateway_worker} lasts).
 *
 * @param name names the kind in logs and notifications
 * @param table the table holding the work (a constant of the code, never input)
 * @param key its primary key column, a UUID
 * @param pending an SQL condition on the table's columns: the rows that still need work
 */
public record WorkKind(String name, String table, String key, String pending) {

  private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_-]{0,62}");

  public WorkKind {
    for (String part : new String[] {name, table, key}) {
      if (part == null || !IDENTIFIER.matcher(part).matches()) {
        throw new IllegalArgumentException("not an identifier: " + part);
      }
    }
    if (pending == null || pending.isBlank()) {
      throw new IllegalArgumentException("a kind of work needs a pending condition");
    }
  }
}
