package dev.sluice.streaming;

import dev.sluice.streaming.dstream.DStreamGraph;
import dev.sluice.streaming.dstream.DStreamNode;
import dev.sluice.streaming.spi.StreamingAccess;

/** The streaming SPI's view of this package's package-private side; created by {@code StreamingServices}. */
final class StreamingBridge implements StreamingAccess {

    private StreamingBridge() {
    }

    @Override
    public DStreamGraph graph(StreamingContext context) {
        return context.runtime().graph();
    }

    @Override
    public <T> DStream<T> stream(StreamingContext context, DStreamNode<T> node) {
        return new DStream<>(context, node);
    }

    @Override
    public boolean backpressure(StreamingContext context) {
        return context.backpressure();
    }
}
