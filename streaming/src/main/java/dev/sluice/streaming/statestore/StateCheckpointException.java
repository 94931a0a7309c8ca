package dev.sluice.streaming.statestore;

/** A state checkpoint file that is missing, truncated or corrupt: the message names it and the fix. */
public final class StateCheckpointException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception for {@code path} with what was wrong. */
    public StateCheckpointException(String path, String problem, Throwable cause) {
        super("state checkpoint file " + path + " " + problem + "; restore the file, or resume from an older "
                + "checkpoint by deleting the newer metadata checkpoints, or start over with an empty checkpoint "
                + "directory", cause);
    }
}
