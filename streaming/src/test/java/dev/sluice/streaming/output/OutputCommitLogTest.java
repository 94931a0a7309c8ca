package dev.sluice.streaming.output;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The output commit log on the local file system: commits, torn and foreign entries, pruning, uid escaping. */
class OutputCommitLogTest {
    @TempDir
    Path dir;

    private OutputCommitLog open(String uid, int retain) {
        return OutputCommitLog.open(dir.toUri().toString(), uid, new Configuration(), retain);
    }

    private Path entry(String uid, long batch) {
        return dir.resolve(OutputCommitLog.DIRECTORY).resolve(OutputCommitLog.directoryName(uid))
                .resolve(String.format("%020d", batch));
    }

    @Test
    void commit_thenReopen_recordsExactlyTheCommittedBatches() {
        long seed = 5;
        Random random = new Random(seed);
        TreeSet<Long> committed = new TreeSet<>();
        OutputCommitLog log = open("out", 1000);
        for (int i = 0; i < 40; i++) {
            long t = 1000L * (1 + random.nextInt(80));
            log.commit(t);
            log.commit(t); // again: no error, no change
            committed.add(t);
        }
        OutputCommitLog reopened = open("out", 1000);
        assertThat(reopened.committed()).as("seed %s", seed).isEqualTo(committed);
        for (long t = 1000; t <= 80_000; t += 1000) {
            assertThat(reopened.isCommitted(t)).as("seed %s, batch %s", seed, t).isEqualTo(committed.contains(t));
        }
    }

    @Test
    void tornEntry_readsAsNotCommitted_andTheNextCommitReplacesIt() throws IOException {
        OutputCommitLog log = open("out", 10);
        log.commit(3000);
        Path file = entry("out", 3000);
        byte[] bytes = Files.readAllBytes(file);
        for (int cut = 0; cut < bytes.length; cut++) {
            Files.write(file, Arrays.copyOf(bytes, cut));
            assertThat(log.isCommitted(3000)).as("entry cut to %s of %s bytes", cut, bytes.length).isFalse();
        }
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(file, bytes);
        assertThat(log.isCommitted(3000)).as("one byte flipped").isFalse();
        log.commit(3000);
        assertThat(log.isCommitted(3000)).isTrue();
    }

    @Test
    void entryOfAnotherOutputOrBatch_isNotTakenForThisOne() throws IOException {
        open("other", 10).commit(5000);
        OutputCommitLog log = open("out", 10);
        log.commit(4000);
        Files.copy(entry("other", 5000), entry("out", 5000));
        Files.copy(entry("out", 4000), entry("out", 6000));
        assertThat(log.isCommitted(5000)).as("entry of output 'other'").isFalse();
        assertThat(log.isCommitted(6000)).as("entry of batch 4000 under the name of 6000").isFalse();
        assertThat(log.isCommitted(4000)).isTrue();
    }

    @Test
    void commit_beyondRetain_deletesTheOldestEntries() throws IOException {
        OutputCommitLog log = open("out", 3);
        for (long t = 1000; t <= 7000; t += 1000) {
            log.commit(t);
        }
        assertThat(log.committed()).containsExactly(5000L, 6000L, 7000L);
        try (Stream<Path> files = Files.list(entry("out", 0).getParent())) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly(String.format("%020d", 5000), String.format("%020d", 6000),
                            String.format("%020d", 7000));
        }
    }

    @Test
    void entryName_isTheBatchTimeZeroPaddedTo20Digits_asFormatWouldWriteIt() {
        long seed = 20_261_202L;
        Random random = new Random(seed);
        List<Long> times = new java.util.ArrayList<>(List.of(0L, 1L, 999L, 1_000_000_000_000L, Long.MAX_VALUE, -1L,
                Long.MIN_VALUE));
        for (int i = 0; i < 1_000; i++) {
            times.add(random.nextLong() >>> random.nextInt(64));
        }
        for (long t : times) {
            assertThat(OutputCommitLog.entryName(t)).as("time %s (seed %s)", t, seed).isEqualTo(String.format("%020d", t));
        }
    }

    @Test
    void directoryName_keepsPlainUids_andEscapesTheRestDistinctly() {
        assertThat(OutputCommitLog.directoryName("foreach-batch-0")).isEqualTo("foreach-batch-0");
        List<String> uids = List.of("a/b", "a_2f_b", "a b", "..", ".x", "ü", "a.b");
        List<String> names = uids.stream().map(OutputCommitLog::directoryName).toList();
        assertThat(names).doesNotHaveDuplicates().allSatisfy(n -> assertThat(n).doesNotContain("/", " ")
                .doesNotStartWith("."));
    }
}
