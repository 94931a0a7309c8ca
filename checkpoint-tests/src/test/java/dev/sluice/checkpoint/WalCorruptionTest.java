package dev.sluice.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.streaming.wal.TornTail;
import dev.sluice.streaming.wal.WalCorruptionException;
import dev.sluice.streaming.wal.WalFiles;
import dev.sluice.streaming.wal.WalOptions;
import dev.sluice.streaming.wal.WalPosition;
import dev.sluice.streaming.wal.WalReadResult;
import dev.sluice.streaming.wal.WalReader;
import dev.sluice.streaming.wal.WalRecord;
import dev.sluice.streaming.wal.WriteAheadLog;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The corruption matrix for write-ahead-log segments: each damage either recovers the valid
 * prefix and reports the torn tail (path, offset), or refuses naming path and offset; the records
 * returned are always exactly a prefix of those written.
 */
class WalCorruptionTest {
    private static final Configuration CONF = new Configuration();
    @TempDir
    java.nio.file.Path tmp;
    private String dir;
    private final List<byte[]> written = new ArrayList<>();
    private final List<WalPosition> positions = new ArrayList<>();
    private WalFiles files;

    private void writeLog(long seed, int records) {
        dir = tmp.resolve("wal").toUri().toString();
        Random random = new Random(seed);
        try (WriteAheadLog wal = WriteAheadLog.open(dir, WalOptions.defaults(), CONF)) {
            for (int i = 0; i < records; i++) {
                byte[] b = new byte[1 + random.nextInt(200)];
                random.nextBytes(b);
                written.add(b);
                positions.add(wal.append(b));
            }
        }
        files = new WalFiles(dir, CONF);
    }

    private Path segment() {
        return files.segments().get(0);
    }

    private WalReadResult read() {
        return WalReader.open(dir, CONF, WalOptions.defaults().maxRecordBytes()).readAll();
    }

    private List<String> payloads(List<WalRecord> records) {
        return records.stream().map(r -> Arrays.toString(r.payload())).toList();
    }

    private List<String> writtenPrefix(int n) {
        return written.subList(0, n).stream().map(Arrays::toString).toList();
    }

    private void assertTorn(WalReadResult result, int keptRecords, long offset, String seedNote) {
        assertThat(payloads(result.records())).as("valid prefix, %s", seedNote).isEqualTo(writtenPrefix(keptRecords));
        assertThat(result.tornTails()).as(seedNote).singleElement().satisfies(t -> {
            assertThat(t.path()).isEqualTo(segment().toString());
            assertThat(t.offset()).as("torn-tail offset, %s", seedNote).isEqualTo(offset);
        });
        System.out.println("recovered, " + seedNote + ": " + result.tornTails().get(0));
    }

    @Test
    void garbageAppended_recoversEveryRecordAndReportsTheGarbageAsTornTail() throws Exception {
        long seed = System.nanoTime();
        writeLog(seed, 20);
        long end = files.read(segment()).length;
        byte[] garbage = new byte[1 + new Random(seed).nextInt(100)];
        new Random(seed + 1).nextBytes(garbage);
        files.rewrite(segment(), b -> concat(b, garbage));

        WalReadResult result = read();

        assertTorn(result, 20, end, "seed " + seed);
        assertThat(result.tornTails().get(0).droppedBytes()).isEqualTo(garbage.length);
    }

    @Test
    void lastRecordTruncatedByOneByte_recoversThePrefixAndReportsItsOffset() throws Exception {
        long seed = System.nanoTime();
        writeLog(seed, 20);
        files.rewrite(segment(), b -> Arrays.copyOf(b, b.length - 1));

        assertTorn(read(), 19, positions.get(19).offset(), "seed " + seed);
    }

    @Test
    void fileTruncatedToOneByte_recoversNothingAndSaysTheHeaderIsIncomplete() throws Exception {
        writeLog(1, 5);
        files.rewrite(segment(), b -> Arrays.copyOf(b, 1));

        WalReadResult result = read();

        assertTorn(result, 0, 0, "1 byte left");
        assertThat(result.tornTails().get(0).reason()).contains("segment header incomplete: 1 of 28 bytes");
    }

    @Test
    void zeroLengthFile_recoversNothingAndSaysTheSegmentIsEmpty() throws Exception {
        writeLog(2, 5);
        files.rewrite(segment(), b -> new byte[0]);

        WalReadResult result = read();

        assertTorn(result, 0, 0, "zero-length");
        assertThat(result.tornTails().get(0).reason()).contains("empty segment");
    }

    @Test
    void zeroFilledTail_afterACrashThatExtendedTheFile_isATornTail() throws Exception {
        writeLog(3, 10);
        long end = files.read(segment()).length;
        files.rewrite(segment(), b -> Arrays.copyOf(b, b.length + 4096));

        WalReadResult result = read();

        assertTorn(result, 10, end, "zero fill");
        assertThat(result.tornTails().get(0).reason()).contains("zero bytes");
    }

    static LongStream seeds() {
        return LongStream.range(0, 25);
    }

    /**
     * One byte flipped at a seeded random offset: in the segment header, refused at offset 0; in
     * the last record, a torn tail at that record; in any other record, refused at that record.
     */
    @ParameterizedTest
    @MethodSource("seeds")
    void oneByteFlipped_atARandomOffset_refusesOrRecoversExactlyThePrefixBeforeIt(long seed) throws Exception {
        writeLog(seed, 12);
        int length = files.read(segment()).length;
        int flipped = new Random(seed).nextInt(length);
        files.rewrite(segment(), b -> {
            b[flipped] ^= (byte) (1 << new Random(seed).nextInt(8));
            return b;
        });
        int hit = recordHolding(flipped);
        String note = "seed " + seed + ", flipped offset " + flipped + ", record " + hit;

        if (hit == 11) {
            assertTorn(read(), 11, positions.get(11).offset(), note);
        } else {
            long offset = hit < 0 ? 0 : positions.get(hit).offset();
            assertThatThrownBy(this::read).as(note).isInstanceOf(WalCorruptionException.class)
                    .hasMessageContaining(segment().toString())
                    .hasMessageContaining("at offset " + offset)
                    .satisfies(e -> assertThat(((WalCorruptionException) e).offset()).isEqualTo(offset));
        }
    }

    @Test
    void flipInTheLastRecordsPayload_isATornTailNotASilentlyWrongRecord() throws Exception {
        writeLog(4, 6);
        files.rewrite(segment(), b -> {
            b[b.length - 1] ^= 1;
            return b;
        });

        assertTorn(read(), 5, positions.get(5).offset(), "last payload byte");
    }

    @Test
    void tornTailInAnOlderSegment_keepsReadingTheSegmentsAfterIt() throws Exception {
        writeLog(5, 4);
        Path first = segment();
        files.rewrite(first, b -> Arrays.copyOf(b, b.length - 1));
        try (WriteAheadLog wal = WriteAheadLog.open(dir, WalOptions.defaults(), CONF)) {
            wal.append(new byte[] {42});
        }

        WalReadResult result = read();

        assertThat(result.records()).hasSize(4);
        assertThat(result.records().get(3).payload()).containsExactly(42);
        assertThat(result.tornTails()).extracting(TornTail::path).containsExactly(first.toString());
    }

    @Test
    void segmentMissingBetweenOthers_isRefusedNamingTheGap() throws Exception {
        writeLog(6, 3);
        for (int run = 0; run < 2; run++) {
            try (WriteAheadLog wal = WriteAheadLog.open(dir, WalOptions.defaults(), CONF)) {
                wal.append(new byte[] {(byte) run});
            }
        }
        Path middle = files.segments().get(1);
        files.fs().delete(middle, false);

        assertThatThrownBy(this::read).isInstanceOf(WalCorruptionException.class)
                .hasMessageContaining("segment 2 is missing").hasMessageContaining(files.segments().get(1).toString());
    }

    @Test
    void newestSegmentDeleted_readingALoggedPositionInItRefusesNamingTheSegment() throws Exception {
        writeLog(7, 3);
        files.fs().delete(segment(), false);
        WalReader reader = WalReader.open(dir, CONF, 1 << 20);

        assertThat(reader.readAll().records()).isEmpty();
        assertThatThrownBy(() -> reader.read(positions.get(1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has no segment 1").hasMessageContaining(positions.get(1).toString());
    }

    @Test
    void segmentHeaderMagicDamaged_isRefusedAtOffsetZero() throws Exception {
        writeLog(8, 3);
        files.rewrite(segment(), b -> {
            b[0] = 'X';
            return b;
        });

        assertThatThrownBy(this::read).isInstanceOf(WalCorruptionException.class)
                .hasMessageContaining(segment().toString()).hasMessageContaining("at offset 0")
                .hasMessageContaining("magic");
        assertThat(Files.exists(tmp.resolve("wal"))).isTrue();
    }

    /** Returns the index of the record whose bytes hold {@code offset}, or -1 for the segment header. */
    private int recordHolding(int offset) {
        int hit = -1;
        for (int i = 0; i < positions.size(); i++) {
            if (positions.get(i).offset() <= offset) {
                hit = i;
            }
        }
        return offset < WalFiles.firstRecordOffset() ? -1 : hit;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
