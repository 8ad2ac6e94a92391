package dev.remoteclaude.common.ratelimit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Puts a REST resource method under a rate limit: each call by a user takes one token from the
 * user's bucket of {@link #value()}; with none left it answers 429 (see {@link RateLimitFilter}).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface RateLimited {
  RateLimitClass value();
}
