package dev.remoteclaude.api;

/**
 * Bounds every paged list of the API shares. A page index beyond {@link #MAX_PAGE} is refused with
 * 400: with pages of at most {@link #MAX_SIZE} items, {@code page * size} (the offset) stays far
 * below {@link Integer#MAX_VALUE}.
 */
public final class Paging {

  /** The largest page index (pages count from 0). */
  public static final int MAX_PAGE = 1_000_000;

  /** The largest page size any list may be configured with. */
  public static final int MAX_SIZE = 1000;

  private Paging() {}
}
