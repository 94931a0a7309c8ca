package dev.sluice.checkpoint.recovery;

import dev.sluice.core.Pair;
import dev.sluice.streaming.PairDStream;
import dev.sluice.streaming.StreamingContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The child JVM of {@link KillNineTest}: a stateful word count over the files moved into a
 * directory, resumed with {@code getOrCreate}; after every batch it writes the running totals to
 * {@code out/totals} (temp file, then rename). Arguments: checkpoint URI, input directory, output
 * directory. It runs until it is killed.
 */
public final class KillNineChild {
    private KillNineChild() {
    }

    public static void main(String[] args) throws Exception {
        String checkpointDir = args[0];
        Path in = Path.of(args[1]);
        Path out = Path.of(args[2]);
        StreamingContext ssc = StreamingContext.getOrCreate(checkpointDir, () -> {
            StreamingContext c = StreamingContext.builder().appName("kill-9-child").batchInterval(Duration.ofMillis(100))
                    .parallelism(2).checkpointDir(checkpointDir).build();
            PairDStream<String, Long> totals = PairDStream.of(c.textFileStream(in.toUri().toString()).uid("files")
                            .mapToPair(w -> Pair.of(w, 1L)))
                    .updateStateByKey((List<Long> vs, Optional<Long> s) ->
                            Optional.of(s.orElse(0L) + vs.stream().mapToLong(Long::longValue).sum()))
                    .uid("totals");
            totals.checkpoint(Duration.ofMillis(500));
            totals.foreachBatch((ds, time) -> {
                List<String> lines = new ArrayList<>();
                for (Pair<String, Long> p : ds.collect()) {
                    lines.add(p.key() + " " + p.value());
                }
                Path temp = out.resolve(".totals.tmp");
                Files.write(temp, lines);
                Files.move(temp, out.resolve("totals"), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            });
            return c;
        });
        ssc.start();
        Files.createFile(out.resolve("ready-" + ProcessHandle.current().pid()));
        ssc.awaitTermination();
    }
}
