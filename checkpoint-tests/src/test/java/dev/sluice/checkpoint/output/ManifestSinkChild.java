package dev.sluice.checkpoint.output;

import dev.sluice.checkpoint.ChildJvm;
import dev.sluice.streaming.DStream;
import dev.sluice.streaming.ManifestFileSink;
import dev.sluice.streaming.StreamingContext;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The child JVM of {@link ManifestSinkKillNineTest}: writes every line of the files moved into a
 * directory through the manifest file sink (compacting every 3 batches) and through
 * {@code saveAsTextFiles}, resumed with {@code getOrCreate}. Arguments: checkpoint URI, input
 * directory, sink directory URI, text files prefix URI, marker directory. It runs until it is
 * killed (or parks at an armed crash point, see {@code CrashPoints}).
 */
public final class ManifestSinkChild {
    private ManifestSinkChild() {
    }

    public static void main(String[] args) throws Exception {
        String checkpointDir = args[0];
        Path in = Path.of(args[1]);
        String out = args[2];
        String textPrefix = args[3];
        Path markers = Path.of(args[4]);
        StreamingContext ssc = StreamingContext.getOrCreate(checkpointDir, () -> {
            StreamingContext c = StreamingContext.builder().appName("manifest-kill-9-child")
                    .batchInterval(Duration.ofMillis(100)).parallelism(2).checkpointDir(checkpointDir).build();
            DStream<String> lines = c.textFileStream(in.toUri().toString()).uid("files").repartition(2);
            lines.writeTransactionally(ManifestFileSink.<String>text(out).withCompactInterval(3)).uid("lines");
            lines.saveAsTextFiles(textPrefix, "txt").uid("text");
            return c;
        });
        ssc.start();
        ChildJvm.signalReady(markers);
        ssc.awaitTermination();
    }
}
