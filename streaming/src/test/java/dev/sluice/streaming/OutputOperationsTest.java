package dev.sluice.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.streaming.testing.StreamingTestKit;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import org.junit.jupiter.api.Test;

class OutputOperationsTest {
    private static final String DASHES = "-".repeat(43);

    @Test
    void print_batchesOfSeveralSizes_printsSparksFormat() {
        String printed = capturingStdout(() -> {
            try (StreamingTestKit kit = StreamingTestKit.create(Duration.ofSeconds(1))) {
                kit.input(List.of(List.of(1, 2, 3, 4), List.of(5, 6, 7), List.of())).print(3);
                kit.run(3);
            }
        });

        assertThat(printed).isEqualTo(header(1000) + "1\n2\n3\n...\n\n" + header(2000) + "5\n6\n7\n\n"
                + header(3000) + "\n");
    }

    @Test
    void print_noArgument_printsTheFirstTen() {
        String printed = capturingStdout(() -> {
            try (StreamingTestKit kit = StreamingTestKit.create(Duration.ofSeconds(1))) {
                kit.input(List.of(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10))).print();
                kit.run(1);
            }
        });

        assertThat(printed).isEqualTo(header(1000) + "0\n1\n2\n3\n4\n5\n6\n7\n8\n9\n...\n\n");
    }

    @Test
    void print_nNotPositive_fails() {
        try (StreamingTestKit kit = StreamingTestKit.create(Duration.ofSeconds(1))) {
            DStream<Integer> in = kit.input(List.of());
            assertThatThrownBy(() -> in.print(0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("n must be > 0, got 0");
        }
    }

    @Test
    void foreachBatch_everyBatch_seesItsTimeAndData() {
        Map<Time, List<String>> seen = new ConcurrentSkipListMap<>();
        try (StreamingTestKit kit = StreamingTestKit.create(Duration.ofMillis(500))) {
            kit.input(List.of(List.of("a"), List.of(), List.of("b", "c")))
                    .foreachBatch((ds, time) -> seen.put(time, ds.collect()));
            kit.run(3);
        }

        assertThat(seen).containsExactly(Map.entry(new Time(500), List.of("a")), Map.entry(new Time(1000), List.of()),
                Map.entry(new Time(1500), List.of("b", "c")));
    }

    private static String header(long millis) {
        return DASHES + "\nTime: " + millis + " ms\n" + DASHES + "\n";
    }

    private static String capturingStdout(Runnable body) {
        PrintStream original = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setOut(original);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
