package dev.sluice.checkpoint.output;

import static dev.sluice.checkpoint.output.Outputs.time;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.streaming.BatchInfo;
import dev.sluice.streaming.DStream;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The engine drives {@code TransactionalSink} as its javadoc says: per batch isCommitted, begin,
 * one writePartition per partition (again for a retried attempt), commit, then the output commit
 * log; abort when a step fails; a sink that already committed a batch is only recorded; after a
 * crash, the batches the commit log records are not begun again and the crashed one is begun with
 * {@code replay}. The sink's committed data is compared with a plain-Java reference.
 */
class TransactionalSinkProtocolTest {
    private static final int BATCHES = 8;
    private static final int PARTITIONS = 3;
    private static final String UID = "sink";

    @TempDir
    Path tempDir;

    private static void pipeline(StreamingTestKit kit, List<List<Integer>> input, RecordingSink sink) {
        DStream<Integer> in = kit.input(input);
        in.map(Outputs::f).repartition(PARTITIONS).writeTransactionally(sink).uid(UID);
    }

    private static List<String> writes(long batch) {
        return IntStream.range(0, PARTITIONS).mapToObj(p -> "write " + batch + " " + p).toList();
    }

    @Test
    void writeTransactionally_eachBatch_isCheckedBegunWrittenPerPartitionThenCommittedAndLogged() {
        long seed = 41;
        List<List<Integer>> input = Outputs.numbers(seed, BATCHES, 30);
        RecordingSink sink = new RecordingSink();
        Path ckpt = tempDir.resolve("ckpt");
        try (StreamingTestKit kit = Outputs.kit(ckpt)) {
            pipeline(kit, input, sink);
            kit.run(BATCHES);
        }
        assertThat(sink.calls.get(0)).isEqualTo("open " + UID);
        assertThat(sink.calls.get(sink.calls.size() - 1)).isEqualTo("close");
        for (int b = 0; b < BATCHES; b++) {
            long t = time(b);
            List<String> calls = sink.callsOf(t);
            assertThat(calls.subList(0, 2)).as("seed %s, batch %s", seed, t)
                    .containsExactly("isCommitted " + t, "begin " + t);
            assertThat(calls.subList(2, 2 + PARTITIONS)).as("one write per partition").containsExactlyInAnyOrderElementsOf(writes(t));
            assertThat(calls.subList(2 + PARTITIONS, calls.size())).containsExactly("commit " + t);
        }
        assertThat(sink.committed).as("seed %s: committed batches, plain Java", seed).isEqualTo(Outputs.reference(input));
        assertThat(Outputs.commitLog(ckpt, UID)).as("output commit log").containsExactlyElementsOf(
                Outputs.reference(input).keySet());
    }

    @Test
    void writeTransactionally_failedPartitionAttempt_isRetriedAndItsRecordsCountOnce() {
        long seed = 43;
        Random random = new Random(seed);
        List<List<Integer>> input = Outputs.numbers(seed, BATCHES, 30);
        long failing = time(random.nextInt(BATCHES));
        int partition = random.nextInt(PARTITIONS);
        RecordingSink sink = new RecordingSink();
        sink.failOnce.add("write " + failing + " " + partition);
        try (StreamingTestKit kit = Outputs.kit(tempDir.resolve("ckpt"))) {
            pipeline(kit, input, sink);
            kit.run(BATCHES);
            assertThat(kit.batchInfos()).allSatisfy(i -> assertThat(i.failure()).isEmpty());
        }
        List<String> calls = sink.callsOf(failing);
        assertThat(calls).as("seed %s: batch %s, partition %s failed once", seed, failing, partition)
                .filteredOn(c -> c.equals("write " + failing + " " + partition)).hasSize(2);
        assertThat(calls).noneMatch(c -> c.startsWith("abort")).endsWith("commit " + failing);
        assertThat(sink.committed).as("seed %s: committed batches, plain Java", seed).isEqualTo(Outputs.reference(input));
    }

    @Test
    void writeTransactionally_batchTheSinkCommittedAlready_isOnlyRecordedInTheCommitLog() {
        long seed = 47;
        List<List<Integer>> input = Outputs.numbers(seed, BATCHES, 30);
        long claimed = time(new Random(seed).nextInt(BATCHES));
        RecordingSink sink = new RecordingSink();
        sink.claimed.add(claimed);
        Path ckpt = tempDir.resolve("ckpt");
        try (StreamingTestKit kit = Outputs.kit(ckpt)) {
            pipeline(kit, input, sink);
            kit.run(BATCHES);
        }
        assertThat(sink.callsOf(claimed)).as("seed %s, batch %s", seed, claimed).containsExactly("isCommitted " + claimed);
        SortedMap<Long, List<Integer>> expected = new TreeMap<>(Outputs.reference(input));
        expected.remove(claimed);
        assertThat(sink.committed).as("seed %s: committed batches, plain Java", seed).isEqualTo(expected);
        assertThat(Outputs.commitLog(ckpt, UID)).as("output commit log").contains(claimed).hasSize(BATCHES);
    }

    @ParameterizedTest(name = "failing call: {0}")
    @ValueSource(strings = {"write", "commit"})
    void writeTransactionally_stepThatKeepsFailing_abortsAndFailsThatBatchOnly(String step) {
        long seed = 53 + step.length();
        List<List<Integer>> input = Outputs.numbers(seed, BATCHES, 30);
        long failing = time(2 + new Random(seed).nextInt(BATCHES - 3));
        RecordingSink sink = new RecordingSink();
        sink.failAlways.add(step.equals("write") ? "write " + failing + " 1" : "commit " + failing);
        Path ckpt = tempDir.resolve("ckpt");
        List<BatchInfo> infos;
        try (StreamingTestKit kit = Outputs.kit(ckpt)) {
            pipeline(kit, input, sink);
            kit.run(BATCHES);
            infos = kit.batchInfos();
        }
        List<String> calls = sink.callsOf(failing);
        assertThat(calls).as("seed %s, batch %s", seed, failing).last().asString()
                .startsWith("abort " + failing + " ").contains("injected failure of " + step + " " + failing);
        if (step.equals("write")) {
            assertThat(calls).noneMatch(c -> c.startsWith("commit"))
                    .filteredOn(c -> c.equals("write " + failing + " 1")).hasSize(3); // every task attempt
        }
        assertThat(infos).filteredOn(i -> i.failure().isPresent()).extracting(i -> i.batchTime().millis())
                .containsExactly(failing);
        SortedMap<Long, List<Integer>> expected = new TreeMap<>(Outputs.reference(input));
        expected.remove(failing);
        assertThat(sink.committed).as("seed %s: committed batches, plain Java", seed).isEqualTo(expected);
        assertThat(Outputs.commitLog(ckpt, UID)).as("output commit log").doesNotContain(failing).hasSize(BATCHES - 1);
    }

    @ParameterizedTest(name = "crash {0}")
    @ValueSource(strings = {"during a partition write", "after the sink's commit"})
    void writeTransactionally_crash_replaysOnlyTheUnloggedBatchAndCommitsEachOnce(String when) {
        long seed = 59 + when.length();
        List<List<Integer>> input = Outputs.numbers(seed, BATCHES, 30);
        int crashIndex = 1 + new Random(seed).nextInt(BATCHES - 2);
        long crashAt = time(crashIndex);
        Path ckpt = tempDir.resolve("ckpt");
        RecordingSink crashing = new RecordingSink();
        StreamingTestKit first = Outputs.kit(ckpt);
        pipeline(first, input, crashing);
        boolean afterCommit = when.startsWith("after");
        if (afterCommit) {
            crashing.afterCommit = b -> crashIfAt(first, b, crashAt);
        } else {
            crashing.afterWrite = b -> crashIfAt(first, b, crashAt);
        }
        first.run(BATCHES);
        assertThat(first.isCrashed()).isTrue();
        first.close();
        assertThat(Outputs.commitLog(ckpt, UID)).as("logged before the crash")
                .containsExactlyElementsOf(Outputs.reference(input).headMap(crashAt).keySet());
        // A new sink over the same store: the crashed context's task threads may still call the old one.
        RecordingSink sink = new RecordingSink(crashing.committed);
        try (StreamingTestKit second = Outputs.kit(ckpt)) {
            pipeline(second, input, sink);
            second.run(BATCHES - crashIndex);
        }
        for (int b = 0; b < crashIndex; b++) {
            assertThat(sink.callsOf(time(b))).as("logged batch %s is not run again", time(b)).isEmpty();
        }
        if (afterCommit) {
            assertThat(sink.callsOf(crashAt)).as("seed %s: the sink committed %s before the crash", seed, crashAt)
                    .containsExactly("isCommitted " + crashAt);
        } else {
            assertThat(sink.callsOf(crashAt)).as("seed %s: batch %s replayed", seed, crashAt)
                    .startsWith("isCommitted " + crashAt, "begin " + crashAt + " replay").endsWith("commit " + crashAt);
        }
        assertThat(sink.committed).as("seed %s, crash %s in batch %s: committed batches, plain Java", seed, when,
                crashAt).isEqualTo(Outputs.reference(input));
        assertThat(Outputs.commitLog(ckpt, UID)).containsExactlyElementsOf(Outputs.reference(input).keySet());
    }

    private static void crashIfAt(StreamingTestKit kit, long batch, long crashAt) {
        if (batch == crashAt && !kit.isCrashed()) {
            kit.crash();
        }
    }
}
