package dev.sluice.streaming.input;

import java.io.Serializable;

/**
 * A file as a directory listing showed it: what a file stream's task reads, and what later
 * listings are compared with to notice that the file changed after it was read.
 *
 * @param path             the full path
 * @param length           the length in bytes
 * @param modificationTime the modification time, in milliseconds since the epoch
 */
public record ListedFile(String path, long length, long modificationTime) implements Serializable {

    /** Returns true if {@code other} (the same path, listed later) has another length or modification time. */
    boolean changedIn(ListedFile other) {
        return other.length != length || other.modificationTime != modificationTime;
    }
}
