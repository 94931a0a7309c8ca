package dev.sluice.streaming;

/**
 * A file of a file stream that could not be read as listed, reported to
 * {@link StreamingListener#onInputFileProblem} (and logged at WARN with the path). Neither stops
 * the batch: the batch reads its other files.
 *
 * @param streamId   the input stream's id
 * @param streamName the input stream's name
 * @param batchTime  the batch that listed (or read) the file
 * @param kind       what happened
 * @param path       the file's full path
 * @param message    what happened, in words
 */
public record InputFileProblem(int streamId, String streamName, Time batchTime, Kind kind, String path,
                               String message) {

    /** What happened to the file. */
    public enum Kind {
        /**
         * The file changed (length or modification time) after it was read: it was written in
         * place, or appended to, after the stream took it as complete. It is not read again.
         */
        CHANGED_AFTER_READ,
        /** The file was listed but had been deleted (or moved away) when its task opened it. */
        VANISHED
    }
}
