package dev.sluice.streaming.function;

import java.io.Serializable;

/**
 * Chooses which files of a watched directory a file stream reads, by their full path (a Hadoop
 * FileSystem URI such as {@code file:/data/in/part-1.csv}). Names starting with '.' or '_' are
 * skipped before the filter is asked.
 *
 * <p>Called on the driver when each batch lists the directory; what it throws fails that batch.
 */
@FunctionalInterface
public interface FilePathFilter extends Serializable {

    /** Returns true to read the file at {@code path}. */
    boolean accept(String path) throws Exception;
}
