package dev.sluice.examples;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.stream.IntStream;

/**
 * Lines {@code 0 … cycleLines−1} of a {@link LineSource}, encoded as UTF-8 with {@code '\n'}
 * after each line, in chunks that are built on first use and then shared by every client.
 *
 * <p>Why: generating a workload line costs about a microsecond, which would cap a socket source
 * near a million lines per second on its first pass; writing cached bytes does not.
 *
 * <p>Threading: lock-free. Two threads may build the same chunk at once; both results are
 * equal, and the first one stored wins.
 */
final class LineChunks {
    static final int LINES_PER_CHUNK = 1_000;

    /** One chunk: the bytes of its lines and the end offset of each line in them. */
    static final class Chunk {
        final byte[] bytes;
        final int[] lineEnds;

        Chunk(byte[] bytes, int[] lineEnds) {
            this.bytes = bytes;
            this.lineEnds = lineEnds;
        }
    }

    private final LineSource source;
    private final AtomicReferenceArray<Chunk> chunks;

    LineChunks(LineSource source, long cycleLines) {
        this.source = checkNotNull(source, "source");
        checkArgument(cycleLines > 0 && cycleLines % LINES_PER_CHUNK == 0,
                "cycleLines must be a positive multiple of %s, got %s", LINES_PER_CHUNK, cycleLines);
        this.chunks = new AtomicReferenceArray<>(Math.toIntExact(cycleLines / LINES_PER_CHUNK));
    }

    /** Number of chunks in one cycle. */
    int size() {
        return chunks.length();
    }

    /** Returns chunk {@code i}, building it if no thread has yet. */
    Chunk get(int i) {
        Chunk chunk = chunks.get(i);
        if (chunk == null) {
            chunks.compareAndSet(i, null, encode(i));
            chunk = chunks.get(i);
        }
        return chunk;
    }

    /** Builds every chunk now, on all cores, so that no client waits for the generator. */
    void prefill() {
        IntStream.range(0, size()).parallel().forEach(this::get);
    }

    private Chunk encode(int i) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 * LINES_PER_CHUNK);
        int[] lineEnds = new int[LINES_PER_CHUNK];
        long first = (long) i * LINES_PER_CHUNK;
        for (int j = 0; j < LINES_PER_CHUNK; j++) {
            out.writeBytes(source.line(first + j).getBytes(UTF_8));
            out.write('\n');
            lineEnds[j] = out.size();
        }
        return new Chunk(out.toByteArray(), lineEnds);
    }
}
