package dev.sluice.streaming;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.sluice.core.Engine;
import dev.sluice.core.spi.EngineServices;
import java.util.Optional;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;

/**
 * What an output operation is opened with ({@link TransactionalSink#open(OutputContext)}): its
 * stable uid, the application's checkpoint directory, and who writes (the application, named by
 * its checkpoint directory, which is the same across restarts; without one, this run). The
 * engine's Hadoop configuration (the builder's {@code hadoopProperty} settings) travels with it to
 * the file sinks of this package.
 *
 * <p>Immutable.
 */
public final class OutputContext {
    private final String outputUid;
    private final String checkpointDir;
    private final String writer;
    private final Configuration hadoopConf;

    OutputContext(String outputUid, String checkpointDir, String writer, Configuration hadoopConf) {
        this.outputUid = checkNotNull(outputUid, "outputUid");
        this.checkpointDir = checkpointDir;
        this.writer = checkNotNull(writer, "writer");
        this.hadoopConf = checkNotNull(hadoopConf, "hadoopConf");
    }

    /** Returns the context of output {@code uid} in {@code engine}. */
    static OutputContext of(String uid, Engine engine) {
        String dir = engine.checkpointDir().orElse(null);
        String writer = dir != null ? "application with checkpoint directory " + dir
                : "run " + UUID.randomUUID() + " (no checkpoint directory)";
        return new OutputContext(uid, dir, writer, EngineServices.of(engine).hadoopConf());
    }

    /** Returns the uid of the output operation: stable across restarts, for naming transactional ids or directories. */
    public String outputUid() {
        return outputUid;
    }

    /** Returns the application's checkpoint directory, if it has one. */
    public Optional<String> checkpointDir() {
        return Optional.ofNullable(checkpointDir);
    }

    /**
     * Returns who writes: {@code application with checkpoint directory <dir>} (the same across
     * restarts), or without a checkpoint directory {@code run <random id> (no checkpoint directory)}.
     */
    public String writer() {
        return writer;
    }

    Configuration hadoopConf() {
        return hadoopConf;
    }

    @Override
    public String toString() {
        return "OutputContext(" + outputUid + ", " + writer + ")";
    }
}
