package dev.sluice.streaming.statestore;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.List;

/**
 * One complete state checkpoint of one operator: for each partition the files to read, oldest
 * first (a base, then the deltas written after it). Its file is written last, so a manifest
 * exists only once every file it names is durable.
 *
 * @param uid        the operator's uid
 * @param stateTime  the batch time of the state
 * @param base       true if every partition's chain is a single base written for this checkpoint
 * @param partitions per partition, its chain of files
 */
public record StateManifest(String uid, long stateTime, boolean base, List<List<FileRef>> partitions) {
    public StateManifest {
        partitions = partitions.stream().map(List::copyOf).toList();
        checkArgument(!partitions.isEmpty(), "a state manifest of '%s' needs at least one partition", uid);
    }

    /** A file of a chain: its name in the operator's directory, length and CRC-32. */
    public record FileRef(String name, long length, int crc, boolean base, long keys) {
    }

    /** Returns the bytes of every file the manifest names. */
    public long totalBytes() {
        long n = 0;
        for (List<FileRef> chain : partitions) {
            for (FileRef f : chain) {
                n += f.length();
            }
        }
        return n;
    }
}
