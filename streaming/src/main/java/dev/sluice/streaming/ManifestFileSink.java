package dev.sluice.streaming;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import dev.sluice.core.function.MapFunction;
import dev.sluice.streaming.output.ManifestLayout;
import dev.sluice.streaming.output.ManifestWriter;
import java.util.Iterator;

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
 * refused. Each entry also records the application that wrote it (its checkpoint directory): a
 * batch another application committed is not taken for this one's, the batch fails naming both.
 * The directory's file system is reached with the engine's Hadoop configuration (the builder's
 * {@code hadoopProperty} settings over the class path's {@code core-site.xml}). An empty
 * partition writes no file and an empty batch no entry. Every {@link #withCompactInterval
 * compactInterval} entries (10 by default) the manifest is compacted into one snapshot, whose
 * covered entries are then deleted, so the manifest holds at most about that many files plus one.
 *
 * <p>Threading: driven by the engine; {@code writePartition} runs on task threads concurrently.
 *
 * @param <T> the record type
 */
public final class ManifestFileSink<T> implements TransactionalSink<T> {
    private static final long serialVersionUID = 1L;

    private final String directory;
    private final ManifestLayout layout;
    private final MapFunction<? super T, String> format;
    private final int compactInterval;
    private transient volatile ManifestWriter<T> writer;

    private ManifestFileSink(String directory, ManifestLayout layout, MapFunction<? super T, String> format,
                             int compactInterval) {
        this.directory = checkNotNull(directory, "directory");
        this.layout = checkNotNull(layout, "layout");
        this.format = checkNotNull(format, "format");
        this.compactInterval = compactInterval;
    }

    /** Returns a sink writing each record's {@code toString()} as a line to {@code directory}. */
    public static <T> ManifestFileSink<T> text(String directory) {
        return of(directory, String::valueOf);
    }

    /** Returns a sink writing {@code format}'s line for each record to {@code directory}. */
    public static <T> ManifestFileSink<T> of(String directory, MapFunction<? super T, String> format) {
        return new ManifestFileSink<>(directory, ManifestLayout.flat(checkNotNull(directory, "directory")), format,
                ManifestWriter.DEFAULT_COMPACT_INTERVAL);
    }

    /** The sink of {@code saveAsTextFiles}: the same protocol, with {@code layout}'s names. */
    static <T> ManifestFileSink<T> of(String description, ManifestLayout layout) {
        return new ManifestFileSink<>(description, layout, String::valueOf, ManifestWriter.DEFAULT_COMPACT_INTERVAL);
    }

    /**
     * Returns a copy of this sink that compacts its manifest every {@code interval} committed
     * batches (10 by default): fewer files for readers to list, at the cost of rewriting the
     * snapshot, which holds every committed batch, that often.
     *
     * @throws IllegalArgumentException if {@code interval} is not positive
     */
    public ManifestFileSink<T> withCompactInterval(int interval) {
        checkArgument(interval > 0, "compact interval must be > 0, got %s", interval);
        return new ManifestFileSink<>(directory, layout, format, interval);
    }

    /** Returns the output directory. */
    public String directory() {
        return directory;
    }

    /**
     * Claims the directory for output {@code outputUid}, with a default Hadoop configuration and
     * this run as the writer; the engine calls {@link #open(OutputContext)} instead.
     *
     * @throws IllegalStateException if another output's uid owns the directory
     */
    @Override
    public void open(String outputUid) throws Exception {
        open(new OutputContext(outputUid, null, "run of " + outputUid + " (opened without a context)",
                new org.apache.hadoop.conf.Configuration()));
    }

    /**
     * Claims the directory for the context's output, on the engine's Hadoop configuration.
     *
     * @throws IllegalStateException if another output's uid owns the directory
     */
    @Override
    public void open(OutputContext context) throws Exception {
        writer = ManifestWriter.open(layout.manifest(context.hadoopConf()), layout, format, context.outputUid(),
                context.writer(), compactInterval);
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
