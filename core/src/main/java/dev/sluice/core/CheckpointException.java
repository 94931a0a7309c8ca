package dev.sluice.core;

/**
 * A checkpoint file could not be written or read back as it was written: missing, truncated,
 * or corrupt. Never hidden: a checkpoint that fails its checks is not used.
 */
public final class CheckpointException extends SluiceException {
    private final String path;
    private final String expected;
    private final String found;

    /** Creates the exception for {@code path} with what was expected and what was found. */
    public CheckpointException(String path, String expected, String found) {
        super(String.format("checkpoint file %s is unusable: expected %s, found %s", path, expected, found));
        this.path = path;
        this.expected = expected;
        this.found = found;
    }

    /** Creates the exception for {@code path} with a message and a cause. */
    public CheckpointException(String path, String message, Throwable cause) {
        super(String.format("checkpoint file %s: %s", path, message), cause);
        this.path = path;
        this.expected = "";
        this.found = "";
    }

    /** Returns the file the failure is about. */
    public String path() {
        return path;
    }

    /** Returns what the reader expected. */
    public String expected() {
        return expected;
    }

    /** Returns what the reader found instead. */
    public String found() {
        return found;
    }
}
