package dev.sluice.streaming.dstream;

import dev.sluice.streaming.DStream;
import dev.sluice.streaming.Receiver;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.util.List;

/**
 * {@code receiverStream}: the test stores each batch's records through the receiver before the
 * tick ({@code store} returns once they are buffered), so they are received blocks of that batch.
 */
class ReceiverInputStreamContractIT extends InputStreamContract {
    private final Handed receiver = new Handed();

    @Override
    DStream<String> input(StreamingTestKit kit, List<List<String>> batches) {
        return kit.context().receiverStream(receiver);
    }

    @Override
    void beforeBatch(int index, List<String> records) {
        if (!records.isEmpty()) {
            receiver.store(records);
        }
    }

    /** Stores what the test hands it; has no thread of its own. */
    private static final class Handed extends Receiver<String> {
        @Override
        public void onStart() {
        }

        @Override
        public void onStop() {
        }
    }
}
