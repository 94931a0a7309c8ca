package dev.sluice.streaming.dstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.streaming.DStream;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code textFileStream} on the local file system: each batch's records are the lines of one
 * file, written outside the watched directory (dated at the manual clock's start, so it counts as
 * complete) and moved in just before the tick.
 */
class FileInputStreamContractIT extends InputStreamContract {
    @TempDir
    Path root;

    @Override
    DStream<String> input(StreamingTestKit kit, List<List<String>> batches) throws IOException {
        Files.createDirectories(root.resolve("in"));
        return kit.context().textFileStream(root.resolve("in").toUri().toString());
    }

    @Override
    void beforeBatch(int index, List<String> records) throws IOException {
        if (records.isEmpty()) {
            return;
        }
        Path written = Files.write(root.resolve("batch-" + index + ".txt"), records, StandardCharsets.UTF_8);
        // File streams read only complete files: one whose modification time is a batch interval old
        // by the manual clock, which starts at 0; a rename keeps the time.
        assertThat(written.toFile().setLastModified(0)).isTrue();
        Files.move(written, root.resolve("in").resolve(written.getFileName()), StandardCopyOption.ATOMIC_MOVE);
    }
}
