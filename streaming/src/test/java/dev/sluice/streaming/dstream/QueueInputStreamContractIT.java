package dev.sluice.streaming.dstream;

import dev.sluice.streaming.DStream;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/** {@code queueStream}: the test queues each batch's list just before its tick. */
class QueueInputStreamContractIT extends InputStreamContract {
    private final Queue<List<String>> queue = new ConcurrentLinkedQueue<>();

    @Override
    DStream<String> input(StreamingTestKit kit, List<List<String>> batches) {
        return kit.context().queueStream(queue);
    }

    @Override
    void beforeBatch(int index, List<String> records) {
        queue.add(records);
    }
}
