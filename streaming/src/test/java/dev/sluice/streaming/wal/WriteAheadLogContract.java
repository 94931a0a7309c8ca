package dev.sluice.streaming.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The behaviour every file system must give the write-ahead log. Subclasses supply a fresh
 * directory URI per test on their file system (local disk, HDFS).
 */
@Timeout(120)
public abstract class WriteAheadLogContract {

    /** Returns the URI of a directory no other test uses (it need not exist). */
    protected abstract String newDirUri();

    protected abstract Configuration conf();

    private WriteAheadLog open(String dir, WalOptions options) {
        return WriteAheadLog.open(dir, options, conf());
    }

    private static List<byte[]> randomRecords(Random random, int n, int maxBytes) {
        List<byte[]> records = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] b = new byte[random.nextInt(maxBytes + 1)];
            random.nextBytes(b);
            records.add(b);
        }
        return records;
    }

    private static List<String> hex(List<byte[]> records) {
        return records.stream().map(Arrays::toString).toList();
    }

    private static List<byte[]> payloads(WalReadResult result) {
        return result.records().stream().map(WalRecord::payload).toList();
    }

    @Test
    void append_thenReadAll_returnsEveryRecordInOrderWithItsPosition() {
        long seed = System.nanoTime();
        List<byte[]> records = randomRecords(new Random(seed), 200, 300);
        String dir = newDirUri();
        List<WalPosition> positions = new ArrayList<>();
        try (WriteAheadLog wal = open(dir, WalOptions.defaults())) {
            records.forEach(r -> positions.add(wal.append(r)));
        }
        WalReadResult read = WalReader.open(dir, conf(), 1 << 20).readAll();

        assertThat(hex(payloads(read))).as("seed %s", seed).isEqualTo(hex(records));
        assertThat(read.records()).extracting(WalRecord::position).as("seed %s", seed).isEqualTo(positions);
        assertThat(positions).as("seed %s", seed).isSorted().doesNotHaveDuplicates();
        assertThat(read.tornTails()).isEmpty();
        WalReader reader = WalReader.open(dir, conf(), 1 << 20);
        for (int i = 0; i < records.size(); i += 37) {
            assertThat(reader.read(positions.get(i))).as("record %s, seed %s", i, seed).isEqualTo(records.get(i));
        }
    }

    /** What a kill -9 right after {@code append} returned would leave: the record is already in the file. */
    @Test
    void append_returned_recordIsReadableWhileTheLogIsStillOpen() {
        long seed = System.nanoTime();
        List<byte[]> records = randomRecords(new Random(seed), 30, 100);
        String dir = newDirUri();
        try (WriteAheadLog wal = open(dir, WalOptions.defaults())) {
            records.forEach(wal::append);

            WalReadResult read = WalReader.open(dir, conf(), 1 << 20).readAll();

            assertThat(hex(payloads(read))).as("seed %s", seed).isEqualTo(hex(records));
            assertThat(read.tornTails()).isEmpty();
        }
    }

    @Test
    void readAfter_aPosition_returnsOnlyTheRecordsAfterIt() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        List<byte[]> records = randomRecords(random, 120, 200);
        String dir = newDirUri();
        List<WalPosition> positions = new ArrayList<>();
        try (WriteAheadLog wal = open(dir, WalOptions.defaults().withSegmentBytes(4096))) {
            records.forEach(r -> positions.add(wal.append(r)));
        }
        int cut = random.nextInt(records.size());

        WalReadResult after = WalReader.open(dir, conf(), 1 << 20).readAfter(positions.get(cut));

        assertThat(hex(payloads(after))).as("after record %s, seed %s", cut, seed)
                .isEqualTo(hex(records.subList(cut + 1, records.size())));
    }

    @Test
    void append_pastSegmentBytes_rollsToNewSegmentsNoneLargerThanTheLimit() throws Exception {
        long seed = System.nanoTime();
        List<byte[]> records = randomRecords(new Random(seed), 100, 400);
        String dir = newDirUri();
        try (WriteAheadLog wal = open(dir, WalOptions.defaults().withSegmentBytes(2048))) {
            records.forEach(wal::append);
        }
        WalFiles files = new WalFiles(dir, conf());
        long total = records.stream().mapToLong(r -> r.length + WalFiles.recordHeaderBytes()).sum();

        assertThat(files.segments()).as("seed %s", seed).hasSizeGreaterThanOrEqualTo((int) (total / 2048));
        for (Path segment : files.segments()) {
            assertThat(files.read(segment).length).as("%s, seed %s", segment, seed).isLessThanOrEqualTo(2048);
        }
        assertThat(hex(payloads(WalReader.open(dir, conf(), 1 << 20).readAll()))).isEqualTo(hex(records));
    }

    @Test
    void append_afterRollInterval_startsANewSegment() {
        AtomicLong clock = new AtomicLong(1_000);
        String dir = newDirUri();
        List<WalPosition> positions = new ArrayList<>();
        try (WriteAheadLog wal = open(dir, WalOptions.defaults().withRollInterval(Duration.ofSeconds(10))
                .withClock(clock::get))) {
            positions.add(wal.append(new byte[] {1}));
            clock.addAndGet(9_999);
            positions.add(wal.append(new byte[] {2}));
            clock.addAndGet(1);
            positions.add(wal.append(new byte[] {3}));
        }

        assertThat(positions).extracting(WalPosition::segment).containsExactly(1L, 1L, 2L);
    }

    @Test
    void deleteBefore_aPosition_deletesOnlySegmentsWhollyBeforeItAndNeverTheOpenOne() {
        String dir = newDirUri();
        try (WriteAheadLog wal = open(dir, WalOptions.defaults().withSegmentBytes(1024))) {
            List<WalPosition> positions = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                positions.add(wal.append(ByteBuffer.allocate(200).putInt(i).array()));
            }
            WalPosition keepFrom = positions.get(25);
            long segmentsBefore = positions.stream().filter(p -> p.segment() < keepFrom.segment())
                    .map(WalPosition::segment).distinct().count();

            assertThat(wal.deleteBefore(keepFrom)).isEqualTo((int) segmentsBefore);
            List<WalRecord> left = wal.reader().readAll().records();
            assertThat(left.get(0).position().segment()).isEqualTo(keepFrom.segment());
            assertThat(left).extracting(WalRecord::position).contains(keepFrom)
                    .allMatch(p -> p.segment() >= keepFrom.segment());
            assertThat(wal.deleteBefore(new WalPosition(Long.MAX_VALUE, 0))).isPositive();
            assertThat(new WalFiles(dir, conf()).segments()).hasSize(1);
            wal.append(new byte[] {7});
            assertThat(payloads(wal.reader().readAll())).last().isEqualTo(new byte[] {7});
        }
    }

    @Test
    void deleteOlderThan_aTime_deletesSegmentsWrittenWhollyBeforeIt() {
        AtomicLong clock = new AtomicLong(0);
        String dir = newDirUri();
        try (WriteAheadLog wal = open(dir, WalOptions.defaults().withRollInterval(Duration.ofMillis(100))
                .withClock(clock::get))) {
            for (int i = 0; i < 5; i++) {                 // segments created at 0, 100, 200, 300, 400
                wal.append(new byte[] {(byte) i});
                clock.addAndGet(100);
            }
            // Segment 2 (created at 100) holds writes up to just before 200, when segment 3 began.
            assertThat(wal.deleteOlderThan(199)).isEqualTo(1);
            assertThat(wal.deleteOlderThan(200)).isEqualTo(1);
            assertThat(payloads(wal.reader().readAll())).containsExactly(new byte[] {2}, new byte[] {3},
                    new byte[] {4});
            assertThat(wal.deleteOlderThan(Long.MAX_VALUE)).isEqualTo(2);
            assertThat(payloads(wal.reader().readAll())).containsExactly(new byte[] {4});
        }
    }

    @Test
    void open_afterClose_appendsInANewSegmentAndReadsBothRuns() {
        String dir = newDirUri();
        try (WriteAheadLog wal = open(dir, WalOptions.defaults())) {
            wal.append(new byte[] {1});
        }
        WalPosition second;
        try (WriteAheadLog wal = open(dir, WalOptions.defaults())) {
            second = wal.append(new byte[] {2});
        }

        assertThat(second.segment()).isEqualTo(2);
        assertThat(payloads(WalReader.open(dir, conf(), 1 << 20).readAll()))
                .containsExactly(new byte[] {1}, new byte[] {2});
    }

    @Test
    void append_afterClose_isRefusedNamingTheLog() {
        String dir = newDirUri();
        WriteAheadLog wal = open(dir, WalOptions.defaults());
        wal.close();

        assertThatThrownBy(() -> wal.append(new byte[] {1})).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is closed").hasMessageContaining(new Path(dir).getName());
    }

    @Test
    void read_segmentWithLastRecordCut_keepsThePrefixAndReportsTheTornTail() throws Exception {
        String dir = newDirUri();
        WalPosition last;
        try (WriteAheadLog wal = open(dir, WalOptions.defaults())) {
            wal.append(new byte[] {1, 1});
            wal.append(new byte[] {2, 2});
            last = wal.append(new byte[] {3, 3, 3});
        }
        WalFiles files = new WalFiles(dir, conf());
        Path segment = files.segments().get(0);
        files.rewrite(segment, b -> Arrays.copyOf(b, b.length - 1));

        WalReadResult read = WalReader.open(dir, conf(), 1 << 20).readAll();

        assertThat(payloads(read)).containsExactly(new byte[] {1, 1}, new byte[] {2, 2});
        assertThat(read.tornTails()).singleElement().satisfies(t -> {
            assertThat(t.path()).isEqualTo(segment.toString());
            assertThat(t.offset()).isEqualTo(last.offset());
            assertThat(t.droppedBytes()).isEqualTo(WalFiles.recordHeaderBytes() + 2);
        });
    }

    @Test
    void read_segmentWithCorruptRecordBeforeValidOnes_refusesNamingPathAndOffset() throws Exception {
        String dir = newDirUri();
        WalPosition second;
        try (WriteAheadLog wal = open(dir, WalOptions.defaults())) {
            wal.append(new byte[] {1, 1});
            second = wal.append(new byte[] {2, 2});
            wal.append(new byte[] {3, 3});
        }
        WalFiles files = new WalFiles(dir, conf());
        Path segment = files.segments().get(0);
        int payloadByte = (int) second.offset() + WalFiles.recordHeaderBytes();
        files.rewrite(segment, b -> {
            b[payloadByte] ^= 0x40;
            return b;
        });

        assertThatThrownBy(() -> WalReader.open(dir, conf(), 1 << 20).readAll())
                .isInstanceOf(WalCorruptionException.class)
                .hasMessageContaining(segment.toString())
                .hasMessageContaining("at offset " + second.offset())
                .satisfies(e -> assertThat(((WalCorruptionException) e).offset()).isEqualTo(second.offset()));
    }

    /** A thread interrupted before it appends (a receiver being stopped) still logs, and keeps its interrupt. */
    @Test
    void append_fromInterruptedThread_isDurableAndTheThreadStaysInterrupted() {
        long seed = System.nanoTime();
        List<byte[]> records = randomRecords(new Random(seed), 20, 200);
        String dir = newDirUri();
        List<WalPosition> positions = new ArrayList<>();
        List<Boolean> stillInterrupted = new ArrayList<>();
        try (WriteAheadLog wal = open(dir, WalOptions.defaults())) {
            for (byte[] r : records) {
                Thread.currentThread().interrupt();
                positions.add(wal.append(r));
                stillInterrupted.add(Thread.interrupted());
            }
            assertThat(wal.append(new byte[] {7})).as("the log lives on, seed %s", seed).isNotNull();
        }

        assertThat(stillInterrupted).as("seed %s", seed).containsOnly(true);
        WalReadResult read = WalReader.open(dir, conf(), 1 << 20).readAll();
        assertThat(hex(payloads(read).subList(0, records.size()))).as("seed %s", seed).isEqualTo(hex(records));
        assertThat(read.records().subList(0, records.size())).extracting(WalRecord::position).isEqualTo(positions);
    }

    /** append(bytes, length) logs only the prefix, and has read it when it returns: the array may be reused. */
    @Test
    void append_prefixOfReusedArray_logsEachPrefixAsItWasAtTheCall() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        byte[] scratch = new byte[512];
        List<byte[]> expected = new ArrayList<>();
        String dir = newDirUri();
        try (WriteAheadLog wal = open(dir, WalOptions.defaults().withSegmentBytes(4096))) {
            for (int i = 0; i < 100; i++) {
                random.nextBytes(scratch);
                int length = random.nextInt(scratch.length + 1);
                expected.add(Arrays.copyOf(scratch, length));
                wal.append(scratch, length);
            }
            assertThatThrownBy(() -> wal.append(scratch, scratch.length + 1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside the record");
        }

        assertThat(hex(payloads(WalReader.open(dir, conf(), 1 << 20).readAll()))).as("seed %s", seed)
                .isEqualTo(hex(expected));
    }

    @Test
    void append_fromManyThreads_everyAcknowledgedRecordReadsBackOnceInPerThreadOrder() throws Exception {
        long seed = System.nanoTime();
        int threads = 8;
        int perThread = 250;
        String dir = newDirUri();
        List<List<WalPosition>> acked = new ArrayList<>();
        long flushes;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (WriteAheadLog wal = open(dir, WalOptions.defaults().withSegmentBytes(64 << 10))) {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<WalPosition>>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    Random random = new Random(seed + thread);
                    List<WalPosition> mine = new ArrayList<>();
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        ByteBuffer b = ByteBuffer.allocate(8 + random.nextInt(300)).putInt(thread).putInt(i);
                        mine.add(wal.append(b.array()));
                    }
                    return mine;
                }));
            }
            start.countDown();
            for (Future<List<WalPosition>> f : futures) {
                acked.add(f.get(100, TimeUnit.SECONDS));
            }
            flushes = wal.flushCount();
        } finally {
            pool.shutdownNow();
        }
        List<WalRecord> read = WalReader.open(dir, conf(), 1 << 20).readAll().records();

        assertThat(read).as("seed %s", seed).hasSize(threads * perThread);
        List<List<Integer>> seqByThread = new ArrayList<>();
        List<List<WalPosition>> positionsByThread = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            seqByThread.add(new ArrayList<>());
            positionsByThread.add(new ArrayList<>());
        }
        for (WalRecord r : read) {
            ByteBuffer b = ByteBuffer.wrap(r.payload());
            int thread = b.getInt();
            seqByThread.get(thread).add(b.getInt());
            positionsByThread.get(thread).add(r.position());
        }
        List<Integer> expected = java.util.stream.IntStream.range(0, perThread).boxed().toList();
        for (int t = 0; t < threads; t++) {
            assertThat(seqByThread.get(t)).as("thread %s, seed %s", t, seed).isEqualTo(expected);
            assertThat(positionsByThread.get(t)).as("thread %s acked positions, seed %s", t, seed)
                    .isEqualTo(acked.get(t));
        }
        System.out.println("group commit: " + threads * perThread + " appends in " + flushes + " flushes, seed "
                + seed);
        // Whether appends overlap a flush depends on the file system's speed (HDFS: they do; the
        // group-commit test makes it certain with a slow flush).
        assertThat(flushes).as("at most one flush per append; seed %s", seed).isPositive()
                .isLessThanOrEqualTo(threads * perThread);
    }
}
