package dev.sluice.core.checkpoint;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.sluice.core.CheckpointException;
import dev.sluice.core.SluiceException;
import dev.sluice.core.serializer.KryoSerializer;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes and reads the partition files of a dataset checkpoint directory on any Hadoop {@code
 * FileSystem} URI ({@code file:}, {@code hdfs:}, ...). Each partition is one file, {@code
 * part-NNNNN}, in the format of {@link PartitionFileHeader}.
 *
 * <p>A partition is written to a temporary name in the same directory and renamed into place,
 * so a reader sees a whole file or none. A retried task finds the file of its earlier attempt
 * and keeps it: partitions are deterministic, so both attempts wrote the same records.
 *
 * <p>Why the whole payload is serialized before writing: the header that precedes it carries its
 * length and CRC. A partition being checkpointed is already in memory as the task's output.
 *
 * <p>Threading: safe from any thread; it holds no mutable state and Hadoop's cached {@code
 * FileSystem} instances are thread-safe.
 */
public final class CheckpointFiles {
    private static final Logger log = LoggerFactory.getLogger(CheckpointFiles.class);
    private static final String PART_PREFIX = "part-";

    private final KryoSerializer serializer;
    private final Configuration conf;
    private volatile Runnable afterPartitionWritten = () -> { };

    /** Creates checkpoint files that use {@code conf} to reach their file systems. */
    public CheckpointFiles(KryoSerializer serializer, Configuration conf) {
        this.serializer = checkNotNull(serializer, "serializer");
        this.conf = checkNotNull(conf, "conf");
    }

    /** Returns the file name of {@code partition}, e.g. {@code part-00007}. */
    public static String partName(int partition) {
        checkArgument(partition >= 0, "partition must be >= 0, got %s", partition);
        return String.format("part-%05d", partition);
    }

    /**
     * Writes {@code records} as the file of {@code partition} in {@code dirUri}, atomically. If the
     * file already exists, it is kept and this write is dropped.
     *
     * @throws CheckpointException if the file cannot be written
     */
    public void writePartition(String dirUri, int partition, Iterator<?> records) {
        Path file = partPath(dirUri, partition);
        CountingIterator counted = new CountingIterator(checkNotNull(records, "records"));
        byte[] payload = serializer.serializeAll(counted);
        PartitionFileHeader header = PartitionFileHeader.of(counted.count, payload);
        Path temp = new Path(file.getParent(), "." + file.getName() + "." + UUID.randomUUID() + ".tmp");
        try {
            FileSystem fs = file.getFileSystem(conf);
            try (FSDataOutputStream out = fs.create(temp, false)) {
                out.write(header.toBytes());
                out.write(payload);
            }
            commit(fs, temp, file);
        } catch (IOException e) {
            deleteQuietly(temp);
            throw new CheckpointException(file.toString(), "cannot be written: " + e, e);
        }
        log.trace("wrote checkpoint file {}: {} records, {} bytes", file, counted.count, payload.length);
        afterPartitionWritten.run();
    }

    /**
     * Runs {@code hook} on the writing thread after each partition file is in place, before the
     * dataset's checkpoint can be complete: where crash tests stop a JVM inside a checkpoint write.
     */
    public void afterPartitionWritten(Runnable hook) {
        this.afterPartitionWritten = checkNotNull(hook, "hook");
    }

    /**
     * Returns the records of {@code partition} in {@code dirUri}, after checking the file whole.
     *
     * @throws CheckpointException if the file is missing, truncated, corrupt or of another format
     */
    public <T> List<T> readPartition(String dirUri, int partition) {
        Path file = partPath(dirUri, partition);
        String path = file.toString();
        try {
            FileSystem fs = file.getFileSystem(conf);
            long fileLength = fs.getFileStatus(file).getLen();
            try (FSDataInputStream in = fs.open(file)) {
                PartitionFileHeader header = PartitionFileHeader.parse(path, in.readNBytes(PartitionFileHeader.LENGTH));
                header.checkPayloadLength(path, fileLength - PartitionFileHeader.LENGTH);
                byte[] payload = new byte[(int) header.payloadLength()];
                in.readFully(payload);
                header.checkCrc(path, payload);
                List<T> records = deserialize(path, payload);
                header.checkRecordCount(path, records.size());
                return records;
            }
        } catch (FileNotFoundException e) {
            throw new CheckpointException(path, "is missing; was the checkpoint deleted or never completed?", e);
        } catch (IOException e) {
            throw new CheckpointException(path, "cannot be read: " + e, e);
        }
    }

    /** Returns true if the file of {@code partition} exists in {@code dirUri}. */
    public boolean hasPartition(String dirUri, int partition) {
        Path file = partPath(dirUri, partition);
        try {
            return file.getFileSystem(conf).exists(file);
        } catch (IOException e) {
            throw new CheckpointException(file.toString(), "cannot be checked: " + e, e);
        }
    }

    /** Returns the number of partition files in {@code dirUri}; 0 if the directory is missing. */
    public int countPartitions(String dirUri) {
        Path dir = new Path(checkNotNull(dirUri, "dirUri"));
        try {
            FileStatus[] parts = dir.getFileSystem(conf).listStatus(dir, p -> p.getName().startsWith(PART_PREFIX));
            return parts.length;
        } catch (FileNotFoundException e) {
            return 0;
        } catch (IOException e) {
            throw new CheckpointException(dirUri, "cannot be listed: " + e, e);
        }
    }

    /** Deletes {@code dirUri} and everything in it; nothing to do if it is missing. */
    public void delete(String dirUri) {
        Path dir = new Path(checkNotNull(dirUri, "dirUri"));
        try {
            dir.getFileSystem(conf).delete(dir, true);
        } catch (IOException e) {
            throw new CheckpointException(dirUri, "cannot be deleted: " + e, e);
        }
    }

    private static Path partPath(String dirUri, int partition) {
        return new Path(new Path(checkNotNull(dirUri, "dirUri")), partName(partition));
    }

    /** Renames {@code temp} to {@code file}, unless an earlier attempt already wrote {@code file}. */
    private static void commit(FileSystem fs, Path temp, Path file) throws IOException {
        // Checked first because some file systems (the local one) rename over an existing file.
        if (fs.exists(file) || !fs.rename(temp, file)) {
            if (!fs.exists(file)) {
                throw new IOException("rename of " + temp + " to " + file + " failed");
            }
            fs.delete(temp, false);
            log.debug("checkpoint file {} already written by an earlier attempt; keeping it", file);
        }
    }

    private void deleteQuietly(Path temp) {
        try {
            temp.getFileSystem(conf).delete(temp, false);
        } catch (IOException suppressed) {
            // The write already failed; that failure is the one to report.
        }
    }

    private <T> List<T> deserialize(String path, byte[] payload) {
        try {
            return serializer.deserializeAll(payload);
        } catch (SluiceException e) {
            throw new CheckpointException(path, "payload passed its CRC but cannot be deserialized", e);
        }
    }

    /** Counts the records as the serializer consumes them, so the iterator is read once. */
    private static final class CountingIterator implements Iterator<Object> {
        private final Iterator<?> records;
        long count;

        CountingIterator(Iterator<?> records) {
            this.records = records;
        }

        @Override
        public boolean hasNext() {
            return records.hasNext();
        }

        @Override
        public Object next() {
            Object record = records.next();
            count++;
            return record;
        }
    }
}
