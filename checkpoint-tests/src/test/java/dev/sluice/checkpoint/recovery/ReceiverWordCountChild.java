package dev.sluice.checkpoint.recovery;

import dev.sluice.core.Pair;
import dev.sluice.streaming.PairDStream;
import dev.sluice.streaming.Receiver;
import dev.sluice.streaming.StreamingContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A child JVM of the receiver crash tests ({@link ReceiverKillNineTest}, {@link CrashPointTest}): a
 * stateful word count over a receiver reading the numbered records of {@link NumberedWords},
 * write-ahead log on, resumed with {@code getOrCreate}; after every batch it writes the running
 * totals to {@code out/totals} (temp file, then rename). Arguments: checkpoint URI, output
 * directory, seed, number of records. It runs until it is killed.
 *
 * <p>The receiver is reliable: its position is what the engine made durable. Every record it
 * stores carries its number, and the state keeps, under {@link NumberedWords#POSITION}, the
 * highest number counted. At start the receiver stores nothing until the first batch generated
 * after its start has completed: by then the state holds everything a crashed run logged (the
 * restored state, the replayed batches, and the logged but unallocated blocks that recovery puts
 * in the next batch), so it resumes after that number. An acknowledgement written after
 * {@code store} returned would not do: a kill between the log's flush and the acknowledgement
 * would make the source send durable records again, and they would be counted twice.
 */
public final class ReceiverWordCountChild {
    private static volatile long completedBatch = Long.MIN_VALUE;
    private static volatile long position = -1;

    private ReceiverWordCountChild() {
    }

    /** Stores the records after the durable position, in store calls of 1 to 40 records. */
    static final class NumberedReceiver extends Receiver<String> {
        private final long seed;
        private final int records;

        NumberedReceiver(long seed, int records) {
            this.seed = seed;
            this.records = records;
        }

        @Override
        public void onStart() {
            Thread t = new Thread(this::run, "numbered-source");
            t.setDaemon(true);
            t.start();
        }

        private void run() {
            long started = System.currentTimeMillis();
            try {
                while (completedBatch <= started && !isStopped()) {
                    Thread.sleep(5);
                }
                int next = (int) position + 1;
                while (next < records && !isStopped()) {
                    int n = Math.min(records - next, 1 + (int) Math.floorMod(NumberedWords.mix(seed, next), 40L));
                    List<String> chunk = new ArrayList<>(n);
                    for (int i = next; i < next + n; i++) {
                        chunk.add(i + " " + NumberedWords.word(seed, i));
                    }
                    store(chunk); // durable in the write-ahead log when it returns
                    next += n;
                    Thread.sleep(3);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void onStop() {
        }
    }

    public static void main(String[] args) throws Exception {
        String checkpointDir = args[0];
        Path out = Path.of(args[1]);
        long seed = Long.parseLong(args[2]);
        int records = Integer.parseInt(args[3]);
        StreamingContext ssc = StreamingContext.getOrCreate(checkpointDir, () -> {
            StreamingContext c = StreamingContext.builder().appName("receiver-kill-9-child")
                    .batchInterval(Duration.ofMillis(100)).parallelism(2).checkpointDir(checkpointDir).build();
            PairDStream<String, Long> totals = PairDStream.of(c.receiverStream(new NumberedReceiver(seed, records))
                            .uid("numbered").flatMap(line -> {
                                int space = line.indexOf(' ');
                                return List.of(Pair.of(line.substring(space + 1), 1L),
                                        Pair.of(NumberedWords.POSITION,
                                                NumberedWords.positionValue(Long.parseLong(line.substring(0, space)))));
                            }).mapToPair(p -> p))
                    .updateStateByKey((List<Long> vs, Optional<Long> s) -> Optional.of(NumberedWords.combine(vs, s)))
                    .uid("totals");
            totals.checkpoint(Duration.ofMillis(300));
            totals.foreachBatch((ds, time) -> {
                List<String> lines = new ArrayList<>();
                for (Pair<String, Long> p : ds.collect()) {
                    lines.add(p.key() + " " + p.value());
                    if (p.key().equals(NumberedWords.POSITION)) {
                        position = NumberedWords.positionOf(p.value());
                    }
                }
                Path temp = out.resolve(".totals.tmp");
                Files.write(temp, lines);
                Files.move(temp, out.resolve("totals"), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
                completedBatch = time.millis();
            });
            return c;
        });
        ssc.start();
        Files.createFile(out.resolve("ready-" + ProcessHandle.current().pid()));
        ssc.awaitTermination();
    }
}
