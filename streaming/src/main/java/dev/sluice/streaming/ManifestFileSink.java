package dev.sluice.streaming;

import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import dev.sluice.core.function.MapFunction;
import dev.sluice.streaming.output.ManifestWriter;
import java.util.Iterator;
import org.apache.hadoop.conf.Configuration;

/**
 * An exactly-once text file output on any Hadoop FileSystem, for
 * {@link DStream#writeTransactionally}: each batch's partitions are written to data files of
 * unique names in one output directory ({@code part-<batch>-<partition>-<random>}), and the batch
 * is committed by creating one entry in the directory's manifest, {@code _manifest/<batch>},
 * naming its files (Structured Streaming's {@code _spark_metadata} idea). Readers that go through
 * the manifest ({@link ManifestFiles}) see each batch exactly once, or not yet: never a partial
 * batch, never the files of a failed task attempt or of a run that crashed before its commit, even
 * on stores where rename is not atomic (nothing is renamed; an entry is created once and carries
 * a CRC, so a torn one reads as absent). Plain directory listings see those other files; read
 * through the manifest.
 *
 * <pre>{@code
 * words.writeTransactionally(ManifestFileSink.text("hdfs://nn/out/words")).uid("words-out");
 * List<String> lines = ManifestFiles.readLines("hdfs://nn/out/words");
 * }</pre>
 *
 * <p>One output owns a directory: its uid is recorded at first {@code open}, and another uid is
 * refused. The directory's file system is reached with a default Hadoop configuration (the
 * {@code core-site.xml} and {@code hdfs-site.xml} on the class path).
 *
 * <p>Threading: driven by the engine; {@code writePartition} runs on task threads concurrently.
 *
 * @param <T> the record type
 */
public final class ManifestFileSink<T> implements TransactionalSink<T> {
    private static final long serialVersionUID = 1L;

    private final String directory;
    private final MapFunction<? super T, String> format;
    private transient volatile ManifestWriter<T> writer;

    private ManifestFileSink(String directory, MapFunction<? super T, String> format) {
        this.directory = checkNotNull(directory, "directory");
        this.format = checkNotNull(format, "format");
    }

    /** Returns a sink writing each record's {@code toString()} as a line to {@code directory}. */
    public static <T> ManifestFileSink<T> text(String directory) {
        return new ManifestFileSink<>(directory, String::valueOf);
    }

    /** Returns a sink writing {@code format}'s line for each record to {@code directory}. */
    public static <T> ManifestFileSink<T> of(String directory, MapFunction<? super T, String> format) {
        return new ManifestFileSink<>(directory, format);
    }

    /** Returns the output directory. */
    public String directory() {
        return directory;
    }

    /**
     * Claims the directory for output {@code outputUid}.
     *
     * @throws IllegalStateException if another output's uid owns the directory
     */
    @Override
    public void open(String outputUid) throws Exception {
        writer = ManifestWriter.open(directory, new Configuration(), format, outputUid);
    }

    @Override
    public boolean isCommitted(long batchId) throws Exception {
        return writer().isCommitted(batchId);
    }

    @Override
    public void begin(long batchId, boolean replay) throws Exception {
        writer().begin(batchId, replay);
    }

    @Override
    public void writePartition(long batchId, int partition, Iterator<T> records) throws Exception {
        writer().writePartition(batchId, partition, records);
    }

    @Override
    public void commit(long batchId) throws Exception {
        writer().commit(batchId);
    }

    @Override
    public void abort(long batchId, Throwable cause) {
        ManifestWriter<T> w = writer;
        if (w != null) {
            w.abort(batchId);
        }
    }

    private ManifestWriter<T> writer() {
        ManifestWriter<T> w = writer;
        checkState(w != null, "manifest file sink on %s is not open; it is driven by writeTransactionally", directory);
        return w;
    }

    @Override
    public String toString() {
        return "ManifestFileSink(" + directory + ")";
    }
}
