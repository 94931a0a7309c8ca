package dev.sluice.streaming.dstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.SluiceException;
import dev.sluice.streaming.BatchInfo;
import dev.sluice.streaming.DStream;
import dev.sluice.streaming.InputFileProblem;
import dev.sluice.streaming.StreamingListener;
import dev.sluice.streaming.Time;
import dev.sluice.streaming.checkpoint.InputAllocation;
import dev.sluice.streaming.checkpoint.InputAllocation.FileNames;
import dev.sluice.streaming.spi.StreamingServices;
import dev.sluice.streaming.testing.BatchOutput;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * File streams on real files in temporary directories, under the test kit's manual clock. Files'
 * modification times are set relative to that clock ({@code File.setLastModified}), never waited
 * for: batch {@code k} is at {@code k × 1000} ms, and a file is read once its modification time is
 * at least one interval before the batch.
 */
class FileStreamIT {
    private static final long INTERVAL = 1000;

    @TempDir
    Path staging;
    @TempDir
    Path watched;

    private StreamingTestKit kit;
    private final List<InputFileProblem> problems = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() {
        kit = StreamingTestKit.builder().batchInterval(Duration.ofMillis(INTERVAL)).failOnBatchError(true).build();
        kit.context().addListener(new StreamingListener() {
            @Override
            public void onInputFileProblem(InputFileProblem problem) {
                problems.add(problem);
            }
        });
    }

    @AfterEach
    void tearDown() {
        kit.close();
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void fileStream_pathFilter_readsExactlyTheAcceptedFilesInPathOrder(long seed) throws IOException {
        Random random = new Random(seed);
        BatchOutput<String> out = kit.collect(kit.context().fileStream(watched.toUri().toString(),
                path -> path.endsWith(".csv"), true));
        kit.run(1);
        TreeMap<String, List<String>> accepted = new TreeMap<>();
        for (int i = 0; i < 12; i++) {
            String name = "f" + Integer.toString(random.nextInt(1_000_000), 36) + i
                    + List.of(".csv", ".txt", ".log").get(random.nextInt(3));
            List<String> lines = new ArrayList<>();
            for (int l = random.nextInt(5); l >= 0; l--) {
                lines.add(name + ":" + random.nextInt(1000));
            }
            moveIn(name, String.join("\n", lines) + "\n", 0);
            if (name.endsWith(".csv")) {
                accepted.put(name, lines);
            }
        }
        kit.run(2);

        List<String> expected = accepted.values().stream().flatMap(List::stream).toList();
        assertThat(out.batch(1)).as("seed %s", seed).isEqualTo(expected);
        assertThat(out.batch(2)).as("seed %s: each file read once", seed).isEmpty();
    }

    @Test
    void fileStream_filterThrows_failsTheBatchNamingThePath() throws IOException {
        kit.collect(kit.context().fileStream(watched.toUri().toString(), path -> {
            throw new IOException("filter cannot decide");
        }, false));
        moveIn("a.txt", "x\n", 0);

        assertThatThrownBy(() -> kit.run(1)).isInstanceOf(SluiceException.class)
                .rootCause().hasMessage("filter cannot decide");
        assertThat(kit.batchInfos().get(0).failure()).get().asString()
                .contains("the path filter of fileStream", "a.txt", "batch 1000");
    }

    @Test
    void newFilesOnly_true_skipsFilesPresentAtStart_andReadsLaterOnes() throws IOException {
        moveIn("old.txt", "old\n", 0);
        BatchOutput<String> out = kit.collect(kit.context().fileStream(watched.toUri().toString(), p -> true, true));
        kit.run(1);
        moveIn("new.txt", "new\n", 0);
        kit.run(1);

        assertThat(out.batches()).containsExactly(List.of(), List.of("new"));
    }

    @Test
    void withoutCheckpointDirectory_theFilesOfReleasedBatchesAreForgotten() throws IOException {
        BatchOutput<String> out = kit.collect(kit.context().textFileStream(watched.toUri().toString()));
        kit.run(1); // starts the stream: files present before start are not new
        List<String> expected = new ArrayList<>();
        for (int b = 0; b < 30; b++) {
            moveIn("f" + b + ".txt", "line " + b + "\n", 0);
            expected.add("line " + b);
            kit.run(1);
        }
        FileInputDStream<?> input = (FileInputDStream<?>) StreamingServices.graph(kit.context()).nodes().stream()
                .filter(n -> n instanceof FileInputDStream<?>).findFirst().orElseThrow();

        assertThat(out.batches().stream().flatMap(List::stream).toList()).isEqualTo(expected);
        assertThat(input.recordedBatches()).as("file lists kept of 30 batches, without a checkpoint")
                .isLessThanOrEqualTo(2);
    }

    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13})
    void replayedBatchNotYetComputedAgain_isStillRecordedWithItsFilesAndEverythingReadBefore(long seed) {
        Random random = new Random(seed);
        kit.collect(kit.context().textFileStream(watched.toUri().toString()));
        FileInputDStream<?> input = (FileInputDStream<?>) StreamingServices.graph(kit.context()).nodes().stream()
                .filter(n -> n instanceof FileInputDStream<?>).findFirst().orElseThrow();
        NavigableMap<Time, Map<String, InputAllocation>> recorded = new TreeMap<>();
        Set<String> seen = new TreeSet<>();
        for (int i = 0; i < 8; i++) {
            seen.add("file:/earlier/" + random.nextInt(1_000_000));
        }
        int batches = 2 + random.nextInt(4);
        Map<Time, List<String>> filesOf = new TreeMap<>();
        for (int b = 1; b <= batches; b++) {
            List<String> files = new ArrayList<>();
            for (int f = random.nextInt(3); f >= 0; f--) {
                files.add("file:/in/b" + b + "-" + random.nextInt(1_000_000));
            }
            seen.addAll(files);
            filesOf.put(Time.ofMillis(b * INTERVAL), files);
        }
        filesOf.forEach((time, files) -> {
            Map<String, InputAllocation> inputs = new HashMap<>(Map.of("files", new FileNames(files)));
            if (time.equals(Time.ofMillis(batches * INTERVAL))) {
                inputs.put("files" + FileInputDStream.SEEN, new FileNames(List.copyOf(seen)));
            }
            recorded.put(time, inputs);
        });
        input.replay("files", recorded);

        // A checkpoint written before the generator computed these batches again records them as they were.
        filesOf.forEach((time, files) -> {
            boolean newest = time.equals(Time.ofMillis(batches * INTERVAL));
            Map<String, InputAllocation> now = input.allocationsAt("files", time, newest);
            assertThat(now.get("files")).as("seed %s, batch %s", seed, time).isEqualTo(new FileNames(files));
            if (newest) {
                assertThat(((FileNames) now.get("files" + FileInputDStream.SEEN)).files())
                        .as("seed %s: files read before the newest recorded batch", seed)
                        .containsExactlyInAnyOrderElementsOf(seen);
            }
        });
    }

    @Test
    void newFilesOnly_false_readsFilesPresentAtStartInTheFirstBatch() throws IOException {
        moveIn("old.txt", "old 1\nold 2\n", 0);
        BatchOutput<String> out = kit.collect(kit.context().fileStream(watched.toUri().toString(), p -> true, false));
        kit.run(1);
        moveIn("new.txt", "new\n", 0);
        kit.run(2);

        assertThat(out.batches()).containsExactly(List.of("old 1", "old 2"), List.of("new"), List.of());
    }

    @Test
    void fileWrittenInPlace_isNotReadUntilItsModificationTimeIsOneIntervalOld() throws IOException {
        BatchOutput<String> out = kit.collect(kit.context().textFileStream(watched.toUri().toString()));
        kit.run(1);
        // Batch 2000: a file being written in place (modified at 2000), and one moved in complete.
        Path inPlace = watched.resolve("in-place.txt");
        Files.writeString(inPlace, "first\nsecond ha");
        setModified(inPlace, 2000);
        moveIn("moved.txt", "moved\n", 0);
        kit.run(1);
        // Batch 3000: the writer went on during the interval (modified at 2500): still held back.
        Files.writeString(inPlace, "lf\nthird\n", StandardOpenOption.APPEND);
        setModified(inPlace, 2500);
        kit.run(1);
        // Batch 4000: untouched since 2500 <= 4000 - 1000: read, whole.
        kit.run(2);

        assertThat(out.batches()).containsExactly(List.of(), List.of("moved"), List.of(),
                List.of("first", "second half", "third"), List.of());
        assertThat(problems).isEmpty();
    }

    @Test
    void fileDeletedBetweenListingAndReading_isReportedByName_andTheOtherFilesOfItsBatchAreRead() throws IOException {
        DStream<String> lines = kit.context().textFileStream(watched.toUri().toString()).transform((ds, time) -> {
            // Runs after the batch listed the directory and before its tasks read the files.
            if (time.millis() == 2000) {
                Files.delete(watched.resolve("b.txt"));
            }
            return ds;
        });
        BatchOutput<String> out = kit.collect(lines);
        kit.run(1);
        moveIn("a.txt", "a1\na2\n", 0);
        moveIn("b.txt", "b1\n", 0);
        moveIn("c.txt", "c1\n", 0);
        kit.run(1);

        assertThat(out.batch(1)).containsExactly("a1", "a2", "c1");
        assertThat(kit.batchInfos()).extracting(BatchInfo::succeeded).containsOnly(true);
        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo(InputFileProblem.Kind.VANISHED);
            assertThat(p.path()).endsWith("/b.txt");
            assertThat(p.batchTime().millis()).isEqualTo(2000);
            assertThat(p.message()).contains(p.path(), "is gone");
        });
    }

    @Test
    void fileThatGrowsAfterItWasRead_isReportedOnce_andNotReadTwice() throws IOException {
        BatchOutput<String> out = kit.collect(kit.context().textFileStream(watched.toUri().toString()));
        kit.run(1);
        moveIn("grows.txt", "x\ny\n", 0);
        kit.run(1);
        Path grows = watched.resolve("grows.txt");
        Files.writeString(grows, "z\n", StandardOpenOption.APPEND);
        setModified(grows, 1000);
        kit.run(2);

        assertThat(out.batches()).containsExactly(List.of(), List.of("x", "y"), List.of(), List.of());
        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo(InputFileProblem.Kind.CHANGED_AFTER_READ);
            assertThat(p.path()).endsWith("/grows.txt");
            assertThat(p.batchTime().millis()).isEqualTo(3000);
            assertThat(p.message()).contains("grows.txt", "changed after it was read", "6 bytes");
        });
    }

    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13, 14, 15})
    void binaryRecordsStream_randomFiles_givesEveryRecordInFileOrder(long seed) throws IOException {
        Random random = new Random(seed);
        int recordLength = 1 + random.nextInt(16);
        BatchOutput<byte[]> out = kit.collect(kit.context().binaryRecordsStream(watched.toUri().toString(),
                recordLength));
        kit.run(1);
        List<String> expected = new ArrayList<>();
        for (int f = 0; f < 1 + random.nextInt(4); f++) {
            byte[] content = new byte[recordLength * random.nextInt(20)];
            random.nextBytes(content);
            moveIn("rec-" + f + ".bin", content, 0);
            for (int r = 0; r < content.length; r += recordLength) {
                expected.add(HexFormat.of().formatHex(Arrays.copyOfRange(content, r, r + recordLength)));
            }
        }
        kit.run(1);

        assertThat(out.batch(1)).as("seed %s, record length %s", seed, recordLength)
                .extracting(b -> HexFormat.of().formatHex(b)).isEqualTo(expected);
    }

    @Test
    void binaryRecordsStream_fileLengthNotAMultipleOfTheRecordLength_failsNamingFileLengthAndRecordLength()
            throws IOException {
        kit.collect(kit.context().binaryRecordsStream(watched.toUri().toString(), 4));
        kit.run(1);
        moveIn("torn.bin", new byte[10], 0);

        assertThatThrownBy(() -> kit.run(1)).isInstanceOf(SluiceException.class).rootCause()
                .hasMessageContainingAll("torn.bin", "has 10 bytes", "not a multiple of the record length 4",
                        "2 bytes left over");
        assertThatThrownBy(() -> kit.context().binaryRecordsStream(watched.toString(), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("recordLength must be > 0 bytes, got 0");
    }

    private void moveIn(String name, String content, long modifiedMillis) throws IOException {
        moveIn(name, content.getBytes(java.nio.charset.StandardCharsets.UTF_8), modifiedMillis);
    }

    /** Writes a file elsewhere, sets its modification time, then moves it in atomically (which keeps the time). */
    private void moveIn(String name, byte[] content, long modifiedMillis) throws IOException {
        Path written = Files.write(staging.resolve(name), content);
        setModified(written, modifiedMillis);
        Files.move(written, watched.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    private static void setModified(Path file, long millis) {
        assertThat(file.toFile().setLastModified(millis)).as("set the modification time of %s", file).isTrue();
    }
}
