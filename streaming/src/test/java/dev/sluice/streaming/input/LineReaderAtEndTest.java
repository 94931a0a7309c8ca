package dev.sluice.streaming.input;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link LineReader} at end of stream: a last line without its newline is dropped and counted, or
 * kept, as asked; compared with a plain-Java split of random text cut into random chunks.
 */
class LineReaderAtEndTest {

    static LongStream seeds() {
        return LongStream.range(0, 40);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void readLine_randomTextAndChunks_matchesASplitThatDropsOrKeepsTheUnterminatedLastLine(long seed)
            throws IOException {
        Random random = new Random(seed);
        StringBuilder text = new StringBuilder();
        for (int i = random.nextInt(20); i > 0; i--) {
            text.append(word(random)).append(random.nextInt(4) == 0 ? "\r\n" : "\n");
        }
        boolean unterminated = random.nextBoolean();
        if (unterminated) {
            text.append(word(random)).append(random.nextInt(3) == 0 ? "\r" : "");
        }
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        List<String> complete = new ArrayList<>(Arrays.asList(text.toString().split("\r?\n", -1)));
        String last = complete.remove(complete.size() - 1);

        for (boolean keep : new boolean[] {false, true}) {
            LineReader reader = new LineReader(new Chunks(bytes, random), 1 << 10, keep);
            List<String> lines = new ArrayList<>();
            for (String l = reader.readLine(); l != null; l = reader.readLine()) {
                lines.add(l);
            }
            List<String> expected = new ArrayList<>(complete);
            if (keep && !last.isEmpty()) {
                expected.add(last.endsWith("\r") ? last.substring(0, last.length() - 1) : last);
            }
            assertThat(lines).as("seed %s keep %s", seed, keep).isEqualTo(expected);
            assertThat(reader.unterminatedDropped()).as("seed %s keep %s", seed, keep)
                    .isEqualTo(!keep && !last.isEmpty() ? 1 : 0);
            assertThat(reader.pendingBytes()).isZero();
        }
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void readLine_oversizedUnterminatedLastLine_isCountedOnceAsOversized(long seed) throws IOException {
        Random random = new Random(seed);
        byte[] bytes = ("ok\n" + "x".repeat(9 + random.nextInt(20))).getBytes(StandardCharsets.UTF_8);
        LineReader reader = new LineReader(new Chunks(bytes, random), 8, false);

        assertThat(reader.readLine()).isEqualTo("ok");
        assertThat(reader.readLine()).isNull();
        assertThat(reader.oversized()).isEqualTo(1);
        assertThat(reader.unterminatedDropped()).as("seed %s", seed).isZero();
    }

    private static String word(Random random) {
        StringBuilder w = new StringBuilder();
        for (int i = random.nextInt(12); i > 0; i--) {
            w.append(random.nextInt(10) == 0 ? 'é' : (char) ('a' + random.nextInt(26)));
        }
        return w.toString();
    }

    /** Hands out {@code bytes} in random-sized reads, as a socket does. */
    private static final class Chunks extends InputStream {
        private final ByteArrayInputStream in;
        private final Random random;

        Chunks(byte[] bytes, Random random) {
            this.in = new ByteArrayInputStream(bytes);
            this.random = random;
        }

        @Override
        public int read() {
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
            return in.read(b, off, Math.min(len, 1 + random.nextInt(5)));
        }
    }
}
