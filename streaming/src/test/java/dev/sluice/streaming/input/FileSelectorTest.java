package dev.sluice.streaming.input;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link FileSelector} against a closed-form reference: a file that appears at batch {@code a}
 * with modification time {@code m} is read exactly once, in the first batch {@code t >= a} with
 * {@code m <= t - interval}; each later change of a file already read is reported once, in the
 * batch that lists it, and never read.
 */
class FileSelectorTest {
    private static final long INTERVAL = 1000;
    private static final int BATCHES = 30;

    static LongStream seeds() {
        return LongStream.range(0, 50);
    }

    /** One random file: when it appears, its modification time, and the batches at which it is touched after that. */
    private record Plan(String path, int appears, long modified, List<Integer> touches) {
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void select_randomFilesAndTouches_readsEachOnceWhenSettledAndReportsEveryLaterChange(long seed) {
        Random random = new Random(seed);
        List<Plan> plans = new ArrayList<>();
        for (int i = 0; i < 1 + random.nextInt(15); i++) {
            int appears = 1 + random.nextInt(BATCHES / 2);
            // Written before it appeared (moved in), or during the next few intervals (in place).
            long modified = appears * INTERVAL + (random.nextInt(5) - 2) * INTERVAL + random.nextInt((int) INTERVAL);
            List<Integer> touches = new ArrayList<>();
            Plan untouched = new Plan(String.format("file:/in/f%02d", i), appears, modified, touches);
            // Touched (appended to, rewritten) only after it was complete: changes after it was read.
            for (int b = settledBatch(untouched) + 1; b <= BATCHES; b++) {
                if (random.nextInt(8) == 0) {
                    touches.add(b);
                }
            }
            plans.add(untouched);
        }

        FileSelector selector = new FileSelector(INTERVAL);
        Map<String, Integer> readAt = new HashMap<>();
        Map<String, List<Integer>> reportedAt = new HashMap<>();
        for (int b = 1; b <= BATCHES; b++) {
            FileSelector.Selection selection = selector.select(listing(plans, b), b * INTERVAL);
            for (ListedFile f : selection.toRead()) {
                assertThat(readAt.put(f.path(), b)).as("seed %s: %s read twice", seed, f.path()).isNull();
            }
            for (ListedFile f : selection.changedAfterRead()) {
                reportedAt.computeIfAbsent(f.path(), k -> new ArrayList<>()).add(b);
            }
        }

        for (Plan p : plans) {
            int expectedRead = settledBatch(p);
            Integer actualRead = readAt.get(p.path());
            if (expectedRead > BATCHES) {
                assertThat(actualRead).as("seed %s %s", seed, p).isNull();
                continue;
            }
            assertThat(actualRead).as("seed %s %s", seed, p).isEqualTo(expectedRead);
            assertThat(reportedAt.getOrDefault(p.path(), List.of())).as("seed %s %s", seed, p)
                    .isEqualTo(p.touches());
        }
    }

    /**
     * Files present at start with newFilesOnly are never read or reported; one that is deleted and
     * added again is new data.
     */
    @ParameterizedTest
    @MethodSource("seeds")
    void select_ignoredAtStart_neverRead_untilDeletedAndAddedAgain(long seed) {
        Random random = new Random(seed);
        FileSelector selector = new FileSelector(INTERVAL);
        List<ListedFile> atStart = new ArrayList<>();
        for (int i = 0; i < 1 + random.nextInt(10); i++) {
            atStart.add(new ListedFile("file:/in/old" + i, random.nextInt(100), 0));
        }
        selector.ignoreExisting(atStart);
        List<ListedFile> touched = atStart.stream().map(f -> new ListedFile(f.path(), f.length() + 1, 500)).toList();

        FileSelector.Selection first = selector.select(touched, 5 * INTERVAL);
        List<ListedFile> kept = atStart.subList(0, atStart.size() / 2);
        selector.select(kept, 6 * INTERVAL);
        FileSelector.Selection back = selector.select(atStart, 7 * INTERVAL);

        assertThat(first.toRead()).as("seed %s", seed).isEmpty();
        assertThat(first.changedAfterRead()).as("seed %s", seed).isEmpty();
        assertThat(back.toRead()).as("seed %s: the ones deleted and added again", seed)
                .isEqualTo(atStart.subList(atStart.size() / 2, atStart.size()));
    }

    /** The first batch at or after the file appears whose time is at least an interval past its modification. */
    private static int settledBatch(Plan p) {
        int b = p.appears();
        while (p.modified() > b * INTERVAL - INTERVAL) {
            b++;
        }
        return b;
    }

    /** The directory at batch {@code b}: each file that has appeared, its length growing with each touch. */
    private static List<ListedFile> listing(List<Plan> plans, int b) {
        List<ListedFile> out = new ArrayList<>();
        for (Plan p : plans) {
            if (p.appears() > b) {
                continue;
            }
            long touches = p.touches().stream().filter(t -> t <= b).count();
            long modified = touches == 0 ? p.modified() : p.touches().stream().filter(t -> t <= b)
                    .mapToLong(t -> t * INTERVAL - 1).max().getAsLong();
            out.add(new ListedFile(p.path(), 10 + touches, modified));
        }
        return out;
    }
}
