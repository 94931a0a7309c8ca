package dev.sluice.core.spi;

import dev.sluice.core.failure.UserCodeException;

/**
 * Carrying a user function's exception through engine code: wrap a checked exception where it
 * cannot be declared, unwrap to find the user's own exception behind the engine's wrappers.
 */
public final class UserExceptions {
    private UserExceptions() {
    }

    /** Returns {@code e} as an unchecked exception, wrapping it only if it is checked. */
    public static RuntimeException wrap(Exception e) {
        return UserCodeException.wrap(e);
    }

    /** Returns the user's exception behind {@code t}: the cause of a wrapper, else {@code t}. */
    public static Throwable unwrap(Throwable t) {
        return UserCodeException.unwrap(t);
    }
}
