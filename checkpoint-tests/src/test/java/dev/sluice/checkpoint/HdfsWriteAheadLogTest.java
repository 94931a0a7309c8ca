package dev.sluice.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.streaming.checkpoint.MetadataCheckpoint;
import dev.sluice.streaming.checkpoint.MetadataCheckpointStore;
import dev.sluice.streaming.checkpoint.MetadataCheckpointStore.CommitMode;
import dev.sluice.streaming.checkpoint.RandomCheckpoints;
import dev.sluice.streaming.checkpoint.RecoveredCheckpoint;
import dev.sluice.streaming.wal.WriteAheadLogContract;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The write-ahead-log contract, and the metadata checkpoint store, on a real HDFS: an in-process
 * MiniDFSCluster started once for the class (it takes most of a minute on a busy machine).
 */
class HdfsWriteAheadLogTest extends WriteAheadLogContract {
    @TempDir
    static Path base;
    private static Hdfs hdfs;
    private static final AtomicInteger DIRS = new AtomicInteger();

    @BeforeAll
    static void startHdfs() throws Exception {
        hdfs = Hdfs.start(base);
    }

    @AfterAll
    static void stopHdfs() {
        if (hdfs != null) {
            hdfs.close();
        }
    }

    @Override
    protected String newDirUri() {
        return hdfs.uri("/wal-" + DIRS.incrementAndGet());
    }

    @Override
    protected Configuration conf() {
        return hdfs.conf();
    }

    /** The metadata checkpoint store on the same HDFS. */
    @Nested
    class MetadataCheckpointsOnHdfs {

        @ParameterizedTest
        @EnumSource(CommitMode.class)
        void write_moreThanRetain_keepsTheNewestAndRecoversTheNewest(CommitMode mode) {
            long seed = System.nanoTime();
            Random random = new Random(seed);
            MetadataCheckpointStore store = new MetadataCheckpointStore(newDirUri(), conf(), 3, mode);
            MetadataCheckpoint last = null;
            for (long t = 1000; t <= 5000; t += 1000) {
                last = RandomCheckpoints.checkpoint(random, t);
                store.write(last);
            }
            store.write(last); // a re-run batch writes its time again

            assertThat(store.checkpointFiles()).hasSize(3);
            assertThat(store.latest().orElseThrow().checkpoint()).as("seed %s", seed).isEqualTo(last);
        }

        @org.junit.jupiter.api.Test
        void latest_newestTruncated_fallsBackToThePreviousOne() throws Exception {
            String dir = newDirUri();
            MetadataCheckpointStore store = MetadataCheckpointStore.of(dir, conf());
            Random random = new Random(11);
            MetadataCheckpoint older = RandomCheckpoints.checkpoint(random, 1000);
            store.write(older);
            org.apache.hadoop.fs.Path newest = new org.apache.hadoop.fs.Path(
                    store.write(RandomCheckpoints.checkpoint(random, 2000)));
            org.apache.hadoop.fs.FileSystem fs = newest.getFileSystem(conf());
            byte[] bytes;
            try (java.io.InputStream in = fs.open(newest)) {
                bytes = in.readAllBytes();
            }
            try (OutputStream out = fs.create(newest, true)) {
                out.write(Arrays.copyOf(bytes, bytes.length - 1));
            }

            RecoveredCheckpoint r = store.latest().orElseThrow();

            assertThat(r.checkpoint()).isEqualTo(older);
            assertThat(r.skipped()).singleElement().asString().contains(newest.toString()).contains("truncated");
        }
    }
}
