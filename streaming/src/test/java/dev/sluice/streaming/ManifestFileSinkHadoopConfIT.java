package dev.sluice.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.Engine;
import dev.sluice.streaming.output.FaultyFileSystem;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ManifestFileSink} reaches its file system with the engine's Hadoop configuration: a
 * {@code faulty:} scheme whose implementation is named only by a {@code hadoopProperty} (of the
 * test kit's builder, which passes it to the context's engine, or of an {@code Engine.Builder})
 * works, and fails without the property. Compared with plain Java over seeded input.
 */
class ManifestFileSinkHadoopConfIT {
    @TempDir
    Path dir;

    @BeforeEach
    @AfterEach
    void resetFileSystem() {
        FaultyFileSystem.reset();
    }

    @Test
    void manifestSink_hadoopPropertyOfTheKitBuilder_reachesTheSinksFileSystem() {
        long seed = 61;
        List<List<String>> input = input(seed);
        StreamingTestKit.Builder b = StreamingTestKit.builder().batchInterval(Duration.ofSeconds(1))
                .checkpointDir(dir.resolve("ckpt").toUri().toString());
        FaultyFileSystem.PROPERTIES.forEach(b::hadoopProperty);
        try (StreamingTestKit kit = b.build()) {
            kit.input(input).writeTransactionally(ManifestFileSink.text(out())).uid("out");
            kit.run(input.size());
        }
        assertThat(read()).as("seed %s: batches through the manifest, plain Java", seed).isEqualTo(reference(input));
        assertThat(FaultyFileSystem.CREATES.get()).as("files created through the faulty: scheme").isPositive();
    }

    @Test
    void manifestSink_hadoopPropertyOfAnEngineBuilder_reachesTheSinksFileSystem() {
        long seed = 62;
        List<List<String>> input = input(seed);
        Engine.Builder eb = Engine.builder().appName("hadoop-conf").parallelism(2);
        FaultyFileSystem.PROPERTIES.forEach(eb::hadoopProperty);
        try (Engine engine = eb.build();
             StreamingTestKit kit = StreamingTestKit.builder().batchInterval(Duration.ofSeconds(1)).engine(engine)
                     .build()) {
            kit.input(input).writeTransactionally(ManifestFileSink.text(out())).uid("out");
            kit.run(input.size());
        }
        assertThat(read()).as("seed %s: batches through the manifest, plain Java", seed).isEqualTo(reference(input));
    }

    @Test
    void manifestSink_withoutTheHadoopProperty_failsAtStartNamingTheScheme() {
        try (StreamingTestKit kit = StreamingTestKit.builder().batchInterval(Duration.ofSeconds(1)).build()) {
            kit.input(input(63)).writeTransactionally(ManifestFileSink.text(out())).uid("out");
            assertThatThrownBy(() -> kit.run(1)).hasMessageContaining("'out'").hasStackTraceContaining("faulty");
        }
    }

    private String out() {
        return "faulty://" + dir.resolve("out").toAbsolutePath();
    }

    private SortedMap<Long, List<String>> read() {
        SortedMap<Long, List<String>> out = new TreeMap<>();
        ManifestFiles.of(out()).withHadoopProperties(FaultyFileSystem.PROPERTIES).readBatches()
                .forEach((t, lines) -> out.put(t, lines.stream().sorted().toList()));
        return out;
    }

    private static List<List<String>> input(long seed) {
        Random random = new Random(seed);
        List<List<String>> out = new ArrayList<>();
        for (int b = 0; b < 4; b++) {
            List<String> batch = new ArrayList<>();
            for (int i = 0, n = random.nextInt(8); i < n; i++) {
                batch.add(b + ":" + random.nextInt(100));
            }
            out.add(batch);
        }
        return out;
    }

    /** Plain Java: the non-empty batches' sorted lines, by time. */
    private static SortedMap<Long, List<String>> reference(List<List<String>> input) {
        SortedMap<Long, List<String>> out = new TreeMap<>();
        for (int b = 0; b < input.size(); b++) {
            if (!input.get(b).isEmpty()) {
                out.put((b + 1) * 1000L, input.get(b).stream().sorted().toList());
            }
        }
        return out;
    }
}
