package dev.sluice.streaming.checkpoint;

import dev.sluice.core.spi.InputBlock;
import dev.sluice.streaming.Time;
import dev.sluice.streaming.checkpoint.InputAllocation.FileNames;
import dev.sluice.streaming.checkpoint.InputAllocation.OffsetRange;
import dev.sluice.streaming.checkpoint.InputAllocation.ReceivedBlocks;
import dev.sluice.streaming.checkpoint.InputAllocation.SourceOffsets;
import dev.sluice.streaming.checkpoint.MetadataCheckpoint.OperatorState;
import dev.sluice.streaming.checkpoint.MetadataCheckpoint.PendingBatch;
import dev.sluice.streaming.wal.ReceivedBlockHandle;
import dev.sluice.streaming.wal.WalPosition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Seeded random metadata checkpoints covering every allocation and block kind. */
public final class RandomCheckpoints {
    private RandomCheckpoints() {
    }

    /** Returns a random checkpoint for batch {@code time} (ms) drawn from {@code random}. */
    public static MetadataCheckpoint checkpoint(Random random, long time) {
        long interval = 100 * (1 + random.nextInt(20));
        List<PendingBatch> pending = new ArrayList<>();
        for (int b = random.nextInt(4); b > 0; b--) {
            Map<String, InputAllocation> inputs = new HashMap<>();
            for (int i = random.nextInt(4); i > 0; i--) {
                inputs.put("input-" + i + "-" + random.nextInt(100), allocation(random));
            }
            pending.add(new PendingBatch(Time.ofMillis(time + b * interval), inputs));
        }
        Map<String, OperatorState> operators = new HashMap<>();
        for (int i = random.nextInt(5); i > 0; i--) {
            String uid = "state-" + i + "-\u00e9" + random.nextInt(1000);
            operators.put(uid, new OperatorState(uid, Time.ofMillis(random.nextInt(1_000_000)),
                    "file:/ckpt/run-" + random.nextInt(9) + "/ds-" + random.nextInt(500), 1 + random.nextInt(16)));
        }
        return new MetadataCheckpoint(MetadataCheckpointFormat.VERSION, Time.ofMillis(time),
                Duration.ofMillis(interval), Time.ofMillis(Math.max(0, time - interval)), pending, operators,
                "hdfs://nn/ckpt/run-" + Long.toHexString(random.nextLong()));
    }

    private static InputAllocation allocation(Random random) {
        int n = random.nextInt(5);
        switch (random.nextInt(3)) {
            case 0: {
                List<ReceivedBlockHandle> blocks = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    InputBlock id = new InputBlock(random.nextInt(4), random.nextInt(10_000));
                    long records = random.nextInt(100_000);
                    blocks.add(random.nextBoolean() ? new ReceivedBlockHandle.InMemory(id, records)
                            : new ReceivedBlockHandle.Logged(id, records,
                                    new WalPosition(1 + random.nextInt(50), random.nextInt(1 << 26))));
                }
                return new ReceivedBlocks(blocks);
            }
            case 1: {
                List<String> files = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    files.add("hdfs://nn/in/part-" + random.nextInt(100_000) + ".txt");
                }
                return new FileNames(files);
            }
            default: {
                List<OffsetRange> ranges = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    long from = random.nextInt(1_000_000);
                    ranges.add(new OffsetRange("topic-" + i, from, from + random.nextInt(10_000)));
                }
                return new SourceOffsets(ranges);
            }
        }
    }
}
