package dev.sluice.streaming.statestore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.streaming.state.StateMap;
import dev.sluice.streaming.state.StateMapCodec;
import dev.sluice.streaming.state.StateRecord;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The entries of base and delta files (format version 2, {@link EntryBlocks}): every value the
 * tagged blocks hold and the classes they hand to Kryo come back as written, in order, with
 * their times, across block and buffer boundaries; files of version 1, written by the build
 * before the blocks, are still read; a block that does not decode is refused with the path.
 */
class StateFilesFormatTest {
    private static final String UID = "op";

    @TempDir
    Path dir;

    /** A user class of the state: neither tagged nor registered, so its blocks go through Kryo. */
    static final class Point {
        int x;
        String label;

        Point() {
        }

        Point(int x, String label) {
            this.x = x;
            this.label = label;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Point p && p.x == x && Objects.equals(p.label, label);
        }

        @Override
        public int hashCode() {
            return Objects.hash(x, label);
        }

        @Override
        public String toString() {
            return "Point(" + x + ", " + label + ")";
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void baseAndDelta_ofRandomValues_readBackAsWritten_inOrder(long seed) throws Exception {
        Random random = new Random(seed);
        StateFiles files = new StateFiles(dir.toUri().toString(), StateStoreModelTest.kryo(), new Configuration());
        int[] sizes = {0, 1, 255, 256, 257, 4095, 4096, 4097};
        int baseCount = random.nextBoolean() ? sizes[random.nextInt(sizes.length)] : random.nextInt(6000);
        int deltaCount = random.nextBoolean() ? sizes[random.nextInt(sizes.length)] : random.nextInt(6000);
        // Some seeds write only tagged classes, others mix in user classes at a random rate.
        double userRate = seed % 3 == 0 ? 0 : random.nextDouble() * 0.02;
        Object[][] base = entries(random, baseCount, false, userRate);
        Object[][] delta = entries(random, deltaCount, true, userRate);
        try {
            AtomicInteger paced = new AtomicInteger();
            StateFiles.Written b = files.writeEntries(paced::incrementAndGet, UID, "p00000-base.st", StateFiles.BASE,
                    1000, Long.MIN_VALUE, baseCount, source(base, baseCount));
            assertThat(paced.get()).as("seed %s: the pace runs every 16 blocks of 256", seed)
                    .isEqualTo((baseCount + 4095) / 4096);
            // A buffer sized for 2 bytes an entry: the strings make it grow.
            StateFiles.Encoded d = files.encodeEntries(() -> { }, StateFiles.DELTA, 2000, 1000, deltaCount / 2, 2,
                    source(delta, deltaCount));
            assertThat(d.keys()).isEqualTo(deltaCount);
            StateFiles.Written dw = files.write(UID, "p00000-delta.st", d);
            assertThat(dw.crc()).isEqualTo(d.crc());
            StateManifest manifest = new StateManifest(UID, 2000, false, List.of(List.of(
                    new StateManifest.FileRef("p00000-base.st", b.length(), b.crc(), true, baseCount),
                    new StateManifest.FileRef("p00000-delta.st", dw.length(), dw.crc(), false, deltaCount))));
            Recording codec = new Recording();
            files.loadPartition(manifest, 0, codec);
            List<List<Object>> expected = new ArrayList<>();
            expected(expected, "add", base, baseCount);
            expected(expected, "apply", delta, deltaCount);
            assertThat(codec.calls).as("seed %s: %s base and %s delta entries", seed, baseCount, deltaCount)
                    .containsExactlyElementsOf(expected);
            assertThat(version(dir.resolve("state").resolve(UID).resolve("p00000-base.st"))).isEqualTo(2);
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
        }
    }

    @Test
    void version1Files_writtenByTheBuildBeforeTheBlocks_areStillRead() throws Exception {
        // Written by the build before this format (a base of 600 keys at 1000 ms, a delta at 2000 ms),
        // with the values below: Latin-1 and Cyrillic keys, Long states, some ArrayList states, then
        // every third key removed or set to an Integer.
        Path state = dir.resolve("state").resolve("fixture");
        Files.createDirectories(state);
        for (String name : List.of("ckpt-0000000000000001000.manifest", "ckpt-0000000000000002000.manifest",
                "p00000-0000000000000001000-base.st", "p00000-0000000000000002000-delta.st")) {
            try (InputStream in = Objects.requireNonNull(getClass().getResourceAsStream(
                    "/statestore-v1/state/fixture/" + name), name)) {
                Files.copy(in, state.resolve(name));
            }
        }
        assertThat(version(state.resolve("p00000-0000000000000001000-base.st"))).isEqualTo(1);
        StateFiles files = new StateFiles(dir.toUri().toString(), StateStoreModelTest.kryo(), new Configuration());
        StateManifest manifest = files.readManifest(state.resolve("ckpt-0000000000000002000.manifest").toUri()
                .toString());
        StateMapCodec<Object, Object, Object> codec = new StateMapCodec<>();
        StateMap<Object, Object> restored = files.loadPartition(manifest, 0, codec).get(0).state();
        Map<Object, Object> model = new HashMap<>();
        Map<Object, Long> times = new HashMap<>();
        for (int i = 0; i < 600; i++) {
            model.put(fixtureKey(i), i % 11 == 0 ? new ArrayList<>(List.of((long) i, (long) -i)) : (long) (i * i - 300));
            times.put(fixtureKey(i), 1000L);
        }
        for (int i = 0; i < 600; i += 3) {
            if (i % 2 == 0) {
                model.remove(fixtureKey(i));
                times.remove(fixtureKey(i));
            } else {
                model.put(fixtureKey(i), i);
                times.put(fixtureKey(i), 2000L);
            }
        }
        Map<Object, Object> got = new HashMap<>();
        Map<Object, Long> gotTimes = new HashMap<>();
        for (Iterator<StateMap.Entry<Object, Object>> it = restored.iterator(); it.hasNext(); ) {
            StateMap.Entry<Object, Object> e = it.next();
            got.put(e.key(), e.state());
            gotTimes.put(e.key(), e.updateTime());
        }
        assertThat(got).isEqualTo(model);
        assertThat(gotTimes).isEqualTo(times);

        // A checkpoint written now continues from it in the new format, and both read back together.
        StateMap<Object, Object> next = restored.newDelta();
        next.put(fixtureKey(1), "now a string", 3000L);
        next = next.compacted();
        try (StateCheckpointWriter writer = new StateCheckpointWriter(files, i -> { }, () -> { },
                java.time.Duration.ofMinutes(1))) {
            writer.seed(manifest, state.resolve("ckpt-0000000000000002000.manifest").toUri().toString());
            writer.submit(new StateCheckpointWriter.Snapshot("fixture", 3000L, codec,
                    List.of(codec.keyedState(List.of(new StateRecord<>(next, List.of())))), null, null));
            assertThat(writer.awaitIdle(java.time.Duration.ofSeconds(30))).isTrue();
            StateCheckpointWriter.Committed c = writer.takeCommitted().get("fixture");
            List<StateManifest.FileRef> chain = c.manifest().partitions().get(0);
            assertThat(chain).as("the version 1 base and delta, then a version 2 delta").hasSize(3);
            assertThat(version(state.resolve(chain.get(2).name()))).isEqualTo(2);
            model.put(fixtureKey(1), "now a string");
            StateMap<Object, Object> again = files.loadPartition(c.manifest(), 0, codec).get(0).state();
            Map<Object, Object> gotAgain = new HashMap<>();
            again.iterator().forEachRemaining(e -> gotAgain.put(e.key(), e.state()));
            assertThat(gotAgain).isEqualTo(model);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"value tag", "block mode", "block size"})
    void aBlockThatDoesNotDecode_isRefusedWithThePath_evenWithAValidCrc(String damage) throws Exception {
        StateFiles files = new StateFiles(dir.toUri().toString(), StateStoreModelTest.kryo(), new Configuration());
        Object[] keys = {"a", "b", "c"};
        Object[] states = {1L, 2L, 3L};
        StateFiles.Encoded e = files.encodeEntries(() -> { }, StateFiles.BASE, 1000, Long.MIN_VALUE, 3, 20,
                source(new Object[][] {keys, states, {1000L, 1000L, 1000L}}, 3));
        byte[] bytes = e.bytes(); // a copy
        int block = 4 + 4 + 1 + 8 + 8 + 8; // after the header: mode, entry count, 3 times, then the entries
        switch (damage) {
            case "block mode" -> bytes[block] = 9;
            case "block size" -> bytes[block + 1] = 4; // 4 entries in a file of 3
            default -> bytes[block + 2 + 3 * 8] = 42; // the first key's tag
        }
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - 4);
        ByteBuffer.wrap(bytes, bytes.length - 4, 4).putInt((int) crc.getValue());
        StateFiles.Encoded damaged = new StateFiles.Encoded(bytes, bytes.length, (int) crc.getValue(), 3);
        StateFiles.Written w = files.write(UID, "p00000-base.st", damaged);
        StateManifest manifest = new StateManifest(UID, 1000, true, List.of(List.of(
                new StateManifest.FileRef("p00000-base.st", w.length(), w.crc(), true, 3))));
        assertThatThrownBy(() -> files.loadPartition(manifest, 0, new Recording()))
                .isInstanceOf(StateCheckpointException.class)
                .hasMessageContaining("p00000-base.st")
                .hasMessageContaining(switch (damage) {
                    case "block mode" -> "unknown block mode 9";
                    case "block size" -> "a block of 4 entries";
                    default -> "unknown value tag 42";
                });
    }

    private static String fixtureKey(int i) {
        return i % 7 == 0 ? "ключ-" + i : "key-" + i;
    }

    private static int version(Path file) throws IOException {
        return ByteBuffer.wrap(Files.readAllBytes(file), 4, 4).getInt();
    }

    /** Keys, states and times of {@code n} entries; a delta's states may be {@code null} (removals). */
    private static Object[][] entries(Random random, int n, boolean removals, double userRate) {
        Object[] keys = new Object[n];
        Object[] states = new Object[n];
        Object[] times = new Object[n];
        for (int i = 0; i < n; i++) {
            keys[i] = random.nextDouble() < userRate ? new Point(i, "k") : value(random, i);
            states[i] = removals && random.nextInt(5) == 0 ? null
                    : random.nextDouble() < userRate ? new Point(-i, null) : value(random, -i);
            times[i] = random.nextLong();
        }
        return new Object[][] {keys, states, times};
    }

    private static Object value(Random random, int i) {
        if (random.nextInt(300) == 0) { // past the short-string path and the 64 KB buffers
            return string(random, random.nextInt(70_000), random.nextBoolean() ? 0x7f : 0x3ff);
        }
        return switch (random.nextInt(8)) {
            case 0 -> random.nextLong();
            case 1 -> random.nextBoolean() ? Long.MIN_VALUE : Long.MAX_VALUE;
            case 2 -> random.nextInt();
            case 3 -> random.nextBoolean() ? Integer.MIN_VALUE : Integer.MAX_VALUE;
            case 4 -> "";
            case 5 -> string(random, random.nextInt(20), 0xff); // Latin-1, high chars included
            case 6 -> string(random, random.nextInt(20), 0xffff) + "\uD83D\uDE00"; // beyond Latin-1, a surrogate pair
            default -> "key-" + i;
        };
    }

    private static String string(Random random, int length, int maxChar) {
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            char c = (char) (1 + random.nextInt(maxChar));
            chars[i] = Character.isSurrogate(c) ? 'x' : c;
        }
        return new String(chars);
    }

    /** Hands the first {@code n} entries (keys, states, boxed times) to a visitor, in order. */
    private static java.util.function.Consumer<StateCodec.EntryVisitor> source(Object[][] entries, int n) {
        return visitor -> {
            for (int i = 0; i < n; i++) {
                visitor.visit(entries[0][i], entries[1][i], (Long) entries[2][i]);
            }
        };
    }

    private static void expected(List<List<Object>> out, String call, Object[][] entries, int n) {
        for (int i = 0; i < n; i++) {
            out.add(java.util.Arrays.asList(call, entries[0][i], entries[1][i], entries[2][i]));
        }
    }

    /** Records what the file reader hands over, in order. */
    private static final class Recording implements StateCodec<Object> {
        final List<List<Object>> calls = new ArrayList<>();

        @Override
        public boolean incremental() {
            return true;
        }

        @Override
        public KeyedState keyedState(List<Object> partition) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Loader<Object> loader(long expectedEntries) {
            return new Loader<>() {
                @Override
                public void add(Object key, Object state, long time) {
                    calls.add(java.util.Arrays.asList("add", key, state, time));
                }

                @Override
                public void apply(Object key, Object state, long time) {
                    calls.add(java.util.Arrays.asList("apply", key, state, time));
                }

                @Override
                public List<Object> build() {
                    return List.of();
                }
            };
        }
    }
}
