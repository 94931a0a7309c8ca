package dev.sluice.streaming.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.streaming.StreamingContext;
import dev.sluice.streaming.testing.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checkpoint directory is checked when the context starts, not at the first checkpoint. */
class CheckpointDirectoryIT {
    @TempDir
    Path tmp;

    private static StreamingContext contextOn(String dir) {
        StreamingContext c = StreamingContext.builder().batchInterval(Duration.ofSeconds(1)).parallelism(1)
                .clock(new ManualClock()).checkpointDir(dir).build();
        c.listStream(List.of(List.of(1))).foreachBatch((ds, t) -> ds.count());
        return c;
    }

    private static void assertStartFails(String dir, String... parts) {
        try (StreamingContext c = contextOn(dir)) {
            assertThatThrownBy(c::start).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("checkpoint directory '" + dir + "'").hasMessageContainingAll(parts);
            assertThat(c.lifecycle()).isEqualTo(StreamingContext.Lifecycle.INITIALIZED);
        }
    }

    @Test
    void start_checkpointDirIsAFile_failsNamingThePathAndTheFix() throws Exception {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        assertStartFails(file.toUri().toString(), "it is a file", "use a directory path");
    }

    @Test
    void start_checkpointDirUnderAFile_failsNamingTheFile() throws Exception {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        assertStartFails(file.toUri() + "/ckpt/app", "lies under", "a-file, which is a file", "remove that file");
    }

    @Test
    void start_checkpointDirNotAValidUri_failsSayingHowToWriteIt() {
        assertStartFails(tmp.toUri() + "a dir with spaces", "not a valid URI", "escape spaces");
    }

    @Test
    void start_checkpointDirCannotBeCreated_failsSayingSo() {
        assumeTrue(Files.isDirectory(Path.of("/proc/self")), "needs Linux /proc, where no directory can be made");
        assertStartFails("file:///proc/self/sluice-ckpt", "cannot be created", "create it yourself");
    }

    @Test
    void start_checkpointDirCannotBeWritten_failsSayingSo() {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fdinfo")), "needs Linux /proc, where no file can be made");
        assertStartFails("file:///proc/self/fdinfo", "cannot be written", "write permission");
    }

    @Test
    void start_checkpointDirMissing_createsItAndStarts() throws Exception {
        Path dir = tmp.resolve("new/ckpt");
        try (StreamingContext c = contextOn(dir.toUri().toString())) {
            c.start();
            assertThat(Files.isDirectory(dir)).isTrue();
            try (var entries = Files.list(dir)) {
                assertThat(entries).as("the write probe is deleted").noneMatch(p -> p.getFileName().toString()
                        .startsWith(".sluice-write-probe"));
            }
        }
    }
}
