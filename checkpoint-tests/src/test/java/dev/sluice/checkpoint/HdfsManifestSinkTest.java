package dev.sluice.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.checkpoint.output.CrashingSink;
import dev.sluice.checkpoint.output.Outputs;
import dev.sluice.streaming.DStream;
import dev.sluice.streaming.ManifestFileSink;
import dev.sluice.streaming.ManifestFiles;
import dev.sluice.streaming.TransactionalSink;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The manifest file sink and the output commit log on a real HDFS (an in-process
 * {@code MiniDFSCluster}): a kit writing to HDFS crashes between a batch's data files and its
 * manifest entry, a second kit recovers from its checkpoint on HDFS, and a reader through the
 * manifest sees every batch exactly once, equal to a plain-Java reference.
 */
class HdfsManifestSinkTest {
    private static final int BATCHES = 7;
    private static final String UID = "hdfs-files";

    @TempDir
    static Path base;
    private static Hdfs hdfs;

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

    private static StreamingTestKit kit(String checkpointDir) {
        return StreamingTestKit.builder().batchInterval(Outputs.INTERVAL).parallelism(2).checkpointDir(checkpointDir)
                .build();
    }

    private static void pipeline(StreamingTestKit kit, List<List<Integer>> input, TransactionalSink<Integer> sink) {
        kit.input(input).uid("numbers").map(Outputs::f).repartition(3).writeTransactionally(sink).uid(UID);
    }

    @Test
    void manifestSinkOnHdfs_crashBeforeTheManifestEntry_readersSeeEachBatchExactlyOnceAfterRecovery() throws Exception {
        long seed = 307;
        List<List<Integer>> input = Outputs.numbers(seed, BATCHES, 40);
        String ckpt = hdfs.uri("/ckpt");
        String out = hdfs.uri("/out");
        long crashAt = Outputs.time(3);
        SortedMap<Long, List<Integer>> expected = Outputs.nonEmpty(Outputs.reference(input));

        StreamingTestKit first = kit(ckpt);
        pipeline(first, input, new CrashingSink<>(ManifestFileSink.<Integer>text(out).withCompactInterval(2))
                .beforeCommit(b -> {
            if (b == crashAt) {
                first.crash();
                return true;
            }
            return false;
        }));
        first.run(BATCHES);
        assertThat(first.isCrashed()).isTrue();
        first.close();
        assertThat(Outputs.readManifest(out)).as("seed %s: readers on HDFS after the crash in batch %s", seed, crashAt)
                .isEqualTo(expected.headMap(crashAt));

        try (StreamingTestKit second = kit(ckpt)) {
            pipeline(second, input, ManifestFileSink.<Integer>text(out).withCompactInterval(2));
            second.run(BATCHES - 3);
        }
        assertThat(Outputs.readManifest(out)).as("seed %s: readers on HDFS after recovery, plain Java", seed).isEqualTo(expected);
        FileSystem fs = FileSystem.get(java.net.URI.create(ckpt), hdfs.conf());
        TreeSet<Long> logged = new TreeSet<>();
        for (FileStatus s : fs.listStatus(new org.apache.hadoop.fs.Path(ckpt + "/output-commits/" + UID))) {
            logged.add(Long.parseLong(s.getPath().getName()));
        }
        assertThat(logged).as("output commit log on HDFS (empty batches too)")
                .isEqualTo(Outputs.reference(input).keySet());
        assertThat(snapshots(fs, out + "/_manifest")).as("seed %s: compacted every 2 entries on HDFS", seed)
                .isNotEmpty();
    }

    /**
     * saveAsTextFiles to HDFS: a crash after batch 3 committed (a later output crashes the kit), a
     * recovery that skips it by the commit log, and readers through its manifest, which compacts
     * every 10 entries, see every batch exactly once.
     */
    @Test
    void saveAsTextFilesOnHdfs_crashAfterABatchCommitted_readersSeeEachBatchExactlyOnce() throws Exception {
        long seed = 311;
        int batches = 14;
        List<List<Integer>> input = Outputs.numbers(seed, batches, 30);
        String ckpt = hdfs.uri("/text-ckpt");
        String prefix = hdfs.uri("/text/numbers");
        long crashAt = Outputs.time(3);
        SortedMap<Long, List<Integer>> expected = Outputs.nonEmpty(Outputs.reference(input));

        StreamingTestKit first = kit(ckpt);
        DStream<Integer> numbers = first.input(input).uid("numbers").map(Outputs::f).repartition(3);
        numbers.saveAsTextFiles(prefix, "txt").uid("text");
        numbers.foreachBatch((ds, time) -> {
            if (time.millis() == crashAt) {
                first.crash();
            }
        }).uid("crash");
        first.run(batches);
        assertThat(first.isCrashed()).isTrue();
        first.close();
        assertThat(readText(prefix)).as("seed %s: readers on HDFS after the crash in batch %s", seed, crashAt)
                .isEqualTo(expected.headMap(crashAt + 1));

        try (StreamingTestKit second = kit(ckpt)) {
            DStream<Integer> again = second.input(input).uid("numbers").map(Outputs::f).repartition(3);
            again.saveAsTextFiles(prefix, "txt").uid("text");
            again.foreachBatch((ds, time) -> { }).uid("crash");
            second.run(batches - 3);
        }
        assertThat(readText(prefix)).as("seed %s: readers on HDFS after recovery, plain Java", seed).isEqualTo(expected);
        FileSystem fs = FileSystem.get(java.net.URI.create(prefix), hdfs.conf());
        assertThat(snapshots(fs, hdfs.uri("/text/_manifest-numbers.txt"))).as("seed %s: compacted on HDFS", seed)
                .isNotEmpty();
    }

    private static SortedMap<Long, List<Integer>> readText(String prefix) {
        SortedMap<Long, List<Integer>> out = new TreeMap<>();
        ManifestFiles.ofTextFiles(prefix, "txt").readBatches().forEach((batch, lines) -> {
            List<Integer> numbers = new ArrayList<>(lines.stream().map(Integer::valueOf).toList());
            numbers.sort(null);
            out.put(batch, numbers);
        });
        return out;
    }

    private static List<String> snapshots(FileSystem fs, String manifest) throws java.io.IOException {
        List<String> out = new ArrayList<>();
        for (FileStatus s : fs.listStatus(new org.apache.hadoop.fs.Path(manifest))) {
            if (s.getPath().getName().startsWith("compact-")) {
                out.add(s.getPath().getName());
            }
        }
        return out;
    }
}
