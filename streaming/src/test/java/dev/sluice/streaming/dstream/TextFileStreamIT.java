package dev.sluice.streaming.dstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.streaming.testing.BatchOutput;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextFileStreamIT {
    @TempDir
    Path staging;
    @TempDir
    Path watched;

    @Test
    void textFileStream_filesMovedInBetweenBatches_areReadOnceInTheNextBatch() throws IOException {
        try (StreamingTestKit kit = StreamingTestKit.create(Duration.ofSeconds(1))) {
            BatchOutput<String> out = kit.collect(kit.context().textFileStream(watched.toUri().toString()));
            kit.run(1);
            moveIn("a.txt", "one\ntwo\n");
            kit.run(1);
            moveIn("b.txt", "three\n");
            moveIn(".hidden", "secret\n");
            moveIn("_temporary", "partial\n");
            kit.run(2);

            assertThat(out.batches()).containsExactly(List.of(), List.of("one", "two"), List.of("three"), List.of());
        }
    }

    @Test
    void textFileStream_missingDirectory_givesEmptyBatches() {
        try (StreamingTestKit kit = StreamingTestKit.create(Duration.ofSeconds(1))) {
            BatchOutput<String> out = kit.collect(kit.context().textFileStream(watched.resolve("later").toString()));
            kit.run(2);

            assertThat(out.batches()).containsExactly(List.of(), List.of());
        }
    }

    /** Writes a file elsewhere, long before the manual clock's batches, then moves it in atomically. */
    private void moveIn(String name, String content) throws IOException {
        Path written = Files.writeString(staging.resolve(name), content);
        assertThat(written.toFile().setLastModified(0)).isTrue();
        Files.move(written, watched.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }
}
