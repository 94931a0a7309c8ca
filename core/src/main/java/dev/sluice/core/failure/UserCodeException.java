package dev.sluice.core.failure;

/**
 * Carries a checked exception thrown by a user function through engine code that cannot declare
 * it; the scheduler unwraps it so that the user's own exception is the cause a caller sees.
 * Unchecked exceptions from user code are never wrapped.
 */
public final class UserCodeException extends RuntimeException {

    /** How much of a record's text a message shows. */
    private static final int SHOWN_CHARACTERS = 200;

    private final String record;

    private UserCodeException(Exception cause) {
        super(cause.toString(), cause, false, false);
        this.record = null;
    }

    private UserCodeException(Exception cause, String record) {
        super("user function failed on record '" + record + "': " + cause, cause, false, false);
        this.record = record;
    }

    /**
     * Returns {@code e}, thrown by a user function on {@code record}, wrapped so that the task's
     * failure names the record (its first 200 characters). Only on the failure path: the text of
     * the record is made here, never for records that succeed.
     */
    public static RuntimeException onRecord(Exception e, Object record) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        return new UserCodeException(e, shown(record));
    }

    /** Returns the failing record's text of the first record wrapper in {@code t}'s causes, or null. */
    public static String recordOf(Throwable t) {
        for (Throwable current = t; current != null; current = current.getCause()) {
            if (current instanceof UserCodeException u && u.record != null) {
                return u.record;
            }
        }
        return null;
    }

    private static String shown(Object record) {
        String text;
        try {
            text = String.valueOf(record);
        } catch (RuntimeException e) {
            text = "(toString failed: " + e + ")";
        }
        return text.length() <= SHOWN_CHARACTERS ? text
                : text.substring(0, SHOWN_CHARACTERS) + "... (" + text.length() + " characters)";
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
