package dev.sluice.core.failure;

/**
 * Carries a checked exception thrown by a user function through engine code that cannot declare
 * it; the scheduler unwraps it so that the user's own exception is the cause a caller sees.
 * Unchecked exceptions from user code are never wrapped.
 */
public final class UserCodeException extends RuntimeException {

    private UserCodeException(Exception cause) {
        super(cause.toString(), cause, false, false);
    }

    /** Returns {@code e} as an unchecked exception, wrapping it only if it is checked. */
    public static RuntimeException wrap(Exception e) {
        if (e instanceof RuntimeException re) {
            return re;
        }
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        return new UserCodeException(e);
    }

    /** Returns the user's exception behind {@code t}: the cause of a wrapper, else {@code t}. */
    public static Throwable unwrap(Throwable t) {
        Throwable current = t;
        while (current instanceof UserCodeException || current instanceof java.util.concurrent.CompletionException) {
            if (current.getCause() == null) {
                break;
            }
            current = current.getCause();
        }
        return current;
    }
}
