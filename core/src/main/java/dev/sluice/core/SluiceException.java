package dev.sluice.core;

/** The root of Sluice's own unchecked failures. */
public class SluiceException extends RuntimeException {

    /** Creates an exception with a message. */
    public SluiceException(String message) {
        super(message);
    }

    /** Creates an exception with a message and the cause it keeps. */
    public SluiceException(String message, Throwable cause) {
        super(message, cause);
    }
}
