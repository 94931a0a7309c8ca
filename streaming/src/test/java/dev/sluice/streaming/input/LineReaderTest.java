package dev.sluice.streaming.input;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link LineReader} over streams whose reads end exactly where the test says: a
 * {@link SequenceInputStream} of byte arrays returns at most one array per read, so every
 * chunk boundary (inside a line, inside a UTF-8 character, between '\r' and '\n') is reached
 * deterministically.
 */
class LineReaderTest {
    private static final int MAX = 1 << 20;
    /** ASCII, 2-, 3- and 4-byte UTF-8 characters, and CRLF and LF endings. */
    private static final String MIXED = "alpha\r\nbé\n€uro x\r\n\n𝄞 clef\nlast";
    private static final List<String> MIXED_LINES = List.of("alpha", "bé", "€uro x", "", "𝄞 clef", "last");

    static IntStream splitOffsets() {
        return IntStream.rangeClosed(0, utf8(MIXED).length);
    }

    static IntStream readSizes() {
        return IntStream.rangeClosed(1, utf8(MIXED).length);
    }

    static LongStream seeds() {
        return LongStream.range(0, 30);
    }

    @ParameterizedTest(name = "split at byte {0}")
    @MethodSource("splitOffsets")
    void readLine_inputSplitInTwoReadsAtAnyByte_returnsTheSameLines(int offset) throws IOException {
        byte[] bytes = utf8(MIXED);
        LineReader reader = new LineReader(reads(Arrays.copyOfRange(bytes, 0, offset),
                Arrays.copyOfRange(bytes, offset, bytes.length)), MAX);

        assertThat(readAll(reader)).as("split at byte %d", offset).isEqualTo(MIXED_LINES);
        assertThat(reader.malformed()).isZero();
    }

    @ParameterizedTest(name = "reads of {0} byte(s)")
    @MethodSource("readSizes")
    void readLine_readsOfAFixedSmallSize_returnsTheSameLines(int size) throws IOException {
        LineReader reader = new LineReader(reads(chunks(utf8(MIXED), size)), MAX);

        assertThat(readAll(reader)).as("reads of %d byte(s)", size).isEqualTo(MIXED_LINES);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void readLine_randomLinesAndRandomReadSizes_matchesSplittingTheDecodedText(long seed) throws IOException {
        Random rnd = new Random(seed);
        List<String> lines = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (int i = rnd.nextInt(40); i > 0; i--) {
            String line = randomLine(rnd);
            lines.add(line);
            text.append(line).append(rnd.nextBoolean() ? "\r\n" : "\n");
        }
        byte[] bytes = utf8(text.toString());
        List<byte[]> pieces = new ArrayList<>();
        for (int from = 0; from < bytes.length; ) {
            int to = Math.min(bytes.length, from + 1 + rnd.nextInt(7));
            pieces.add(Arrays.copyOfRange(bytes, from, to));
            from = to;
        }

        LineReader reader = new LineReader(reads(pieces), MAX);

        assertThat(readAll(reader)).as("seed %d", seed).isEqualTo(lines);
    }

    @Test
    void readLine_lineOfExactlyTheMaximum_isReturned() throws IOException {
        LineReader reader = new LineReader(reads(utf8("12345678\nééé€\néééé\n")), 8);

        // "ééé€" is 2+2+2+3 = 9 bytes: one too many; "éééé" is exactly 8.
        assertThat(readAll(reader)).containsExactly("12345678", "éééé");
        assertThat(reader.oversized()).isEqualTo(1);
    }

    @Test
    void readLine_lineOfOneByteMoreThanTheMaximum_isDroppedAndCountedAndTheNextLineIsRead() throws IOException {
        LineReader reader = new LineReader(reads(utf8("123456789\nok\n123456789"), utf8("0\nend")), 8);

        assertThat(readAll(reader)).containsExactly("ok", "end");
        assertThat(reader.oversized()).isEqualTo(2);
    }

    /** Regression: the '\r' of a CRLF ending is not part of the line, so it must not count against the maximum. */
    @ParameterizedTest(name = "split at byte {0}")
    @MethodSource("crlfSplits")
    void readLine_crlfLineOfExactlyTheMaximum_isReturned(int offset) throws IOException {
        byte[] bytes = utf8("12345678\r\nabcdefgh\r\n123456789\r\n");
        LineReader reader = new LineReader(reads(Arrays.copyOfRange(bytes, 0, offset),
                Arrays.copyOfRange(bytes, offset, bytes.length)), 8);

        assertThat(readAll(reader)).as("split at byte %d", offset).containsExactly("12345678", "abcdefgh");
        assertThat(reader.oversized()).isEqualTo(1);
    }

    static IntStream crlfSplits() {
        return IntStream.rangeClosed(0, 31);
    }

    @Test
    void readLine_carriageReturnInsideALine_isKept() throws IOException {
        LineReader reader = new LineReader(reads(utf8("a\rb\r\n\r\n")), 3);

        assertThat(readAll(reader)).containsExactly("a\rb", "");
    }

    @Test
    void readLine_invalidUtf8SplitAcrossReads_isDroppedAndCounted() throws IOException {
        LineReader reader = new LineReader(reads(new byte[] {'o', 'k', '\n', (byte) 0xE2, (byte) 0x82},
                new byte[] {'x', '\n', 'f', 'i', 'n', 'e', '\n'}), MAX);

        assertThat(readAll(reader)).containsExactly("ok", "fine");
        assertThat(reader.malformed()).isEqualTo(1);
    }

    @Test
    void readLine_oversizedUnterminatedLastLine_isDroppedNotReturned() throws IOException {
        LineReader reader = new LineReader(reads(utf8("ok\n"), utf8("123456789")), 8);

        assertThat(readAll(reader)).containsExactly("ok");
        assertThat(reader.oversized()).isEqualTo(1);
    }

    private static String randomLine(Random rnd) {
        String[] alphabet = {"a", "z", " ", "é", "ß", "€", "中", "𝄞", "\r"};
        StringBuilder s = new StringBuilder();
        for (int i = rnd.nextInt(12); i > 0; i--) {
            s.append(alphabet[rnd.nextInt(alphabet.length)]);
        }
        // A trailing '\r' is the reader's line ending, not content: keep the reference unambiguous.
        while (s.length() > 0 && s.charAt(s.length() - 1) == '\r') {
            s.setLength(s.length() - 1);
        }
        return s.toString();
    }

    static List<String> readAll(LineReader reader) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
            out.add(line);
        }
        return out;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<byte[]> chunks(byte[] bytes, int size) {
        List<byte[]> out = new ArrayList<>();
        for (int from = 0; from < bytes.length; from += size) {
            out.add(Arrays.copyOfRange(bytes, from, Math.min(bytes.length, from + size)));
        }
        return out;
    }

    private static InputStream reads(byte[]... pieces) {
        return reads(Arrays.asList(pieces));
    }

    /** A stream each of whose reads returns at most one of {@code pieces} (an empty piece gives none). */
    private static InputStream reads(List<byte[]> pieces) {
        List<InputStream> streams = new ArrayList<>();
        for (byte[] p : pieces) {
            streams.add(new ByteArrayInputStream(p));
        }
        return new SequenceInputStream(Collections.enumeration(streams));
    }

    @Test
    void hasBufferedLine_randomChunks_isTrueExactlyWhenTheNextLineNeedsNoRead() throws IOException {
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        List<String> lines = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            String line = "l" + random.nextInt(1_000_000) + "x".repeat(random.nextInt(30));
            lines.add(line);
            text.append(line).append('\n');
        }
        byte[] bytes = utf8(text.toString());
        int[] reads = {0};
        List<InputStream> chunks = new ArrayList<>();
        for (int from = 0; from < bytes.length; ) {
            int to = Math.min(bytes.length, from + 1 + random.nextInt(120));
            chunks.add(new ByteArrayInputStream(Arrays.copyOfRange(bytes, from, to)));
            from = to;
        }
        InputStream counting = new SequenceInputStream(Collections.enumeration(chunks)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                reads[0]++;
                return super.read(b, off, len);
            }
        };
        LineReader reader = new LineReader(counting, MAX);
        List<String> read = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            boolean buffered = reader.hasBufferedLine();
            int before = reads[0];
            read.add(reader.readLine());
            if (buffered) {
                assertThat(reads[0]).as("seed %s, line %s: buffered, so no read", seed, i).isEqualTo(before);
            } else if (i > 0) {
                assertThat(reads[0]).as("seed %s, line %s: not buffered, so it needed a read", seed, i)
                        .isGreaterThan(before);
            }
        }
        assertThat(read).as("seed %s", seed).isEqualTo(lines);
        assertThat(reader.hasBufferedLine()).isFalse();
    }
}
