package dev.sluice.checkpoint.output;

import dev.sluice.streaming.ManifestFileSink;
import dev.sluice.streaming.StreamingContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The child JVM of {@link ManifestSinkKillNineTest}: writes every line of the files moved into a
 * directory through the manifest file sink, resumed with {@code getOrCreate}. Arguments:
 * checkpoint URI, input directory, output directory URI, marker directory. It runs until it is
 * killed (or parks at an armed crash point, see {@code CrashPoints}).
 */
public final class ManifestSinkChild {
    private ManifestSinkChild() {
    }

    public static void main(String[] args) throws Exception {
        String checkpointDir = args[0];
        Path in = Path.of(args[1]);
        String out = args[2];
        Path markers = Path.of(args[3]);
        StreamingContext ssc = StreamingContext.getOrCreate(checkpointDir, () -> {
            StreamingContext c = StreamingContext.builder().appName("manifest-kill-9-child")
                    .batchInterval(Duration.ofMillis(100)).parallelism(2).checkpointDir(checkpointDir).build();
            c.textFileStream(in.toUri().toString()).uid("files").repartition(2)
                    .writeTransactionally(ManifestFileSink.text(out)).uid("lines");
            return c;
        });
        ssc.start();
        Files.createFile(markers.resolve("ready-" + ProcessHandle.current().pid()));
        ssc.awaitTermination();
    }
}
