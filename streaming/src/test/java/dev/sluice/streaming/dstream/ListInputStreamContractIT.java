package dev.sluice.streaming.dstream;

import dev.sluice.streaming.DStream;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.util.List;

/** The test kit's {@code input}: every batch's list is given up front. */
class ListInputStreamContractIT extends InputStreamContract {

    @Override
    DStream<String> input(StreamingTestKit kit, List<List<String>> batches) {
        return kit.input(batches);
    }

    @Override
    void beforeBatch(int index, List<String> records) {
        // The kit's input already holds every batch.
    }
}
