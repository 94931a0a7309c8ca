package dev.sluice.checkpoint.recovery;

import dev.sluice.checkpoint.ChildJvm;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Runs of {@link ReceiverWordCountChild} on one checkpoint directory: killed ones, then one to the end. */
final class ReceiverChildRuns {
    private final Path root;
    private final Path out;
    private final String checkpoint;
    private final long seed;
    private final int records;
    private int run;

    ReceiverChildRuns(Path root, long seed, int records) throws IOException {
        this.root = root;
        this.out = Files.createDirectories(root.resolve("out"));
        this.checkpoint = root.resolve("ckpt").toUri().toString();
        this.seed = seed;
        this.records = records;
    }

    /** Starts a child, with {@code props} (e.g. an armed crash point). */
    ChildJvm start(Map<String, String> props) throws IOException {
        return ChildJvm.start(ReceiverWordCountChild.class,
                List.of(checkpoint, out.toString(), Long.toString(seed), Integer.toString(records)), props,
                root.resolve("child-" + run++ + ".log"));
    }

    Path readyMarker(ChildJvm child) {
        return out.resolve("ready-" + child.pid());
    }

    /**
     * Runs a last child until its totals reach the last record, and checks them against the
     * fault-free totals; {@code what} describes what happened before.
     */
    void finishAndCheck(String what) throws Exception {
        Map<String, Long> expected = NumberedWords.expected(seed, records);
        Long last = expected.get(NumberedWords.POSITION);
        try (ChildJvm child = start(Map.of())) {
            Map<String, Long> totals = child.awaitTotals(out.resolve("totals"),
                    t -> last.equals(t.get(NumberedWords.POSITION)));
            assertThat(totals).as("seed %s, %s records, %s: totals after the crashes vs a fault-free count "
                    + "(%s: the highest record number counted, as -(n+1)); logs in %s", seed, records, what,
                    NumberedWords.POSITION, root).isEqualTo(expected);
        }
    }
}
