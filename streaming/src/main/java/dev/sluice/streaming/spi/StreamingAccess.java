package dev.sluice.streaming.spi;

import dev.sluice.streaming.DStream;
import dev.sluice.streaming.StreamingContext;
import dev.sluice.streaming.dstream.DStreamGraph;
import dev.sluice.streaming.dstream.DStreamNode;

/**
 * The package-private side of {@link StreamingContext} and {@link DStream} that modules beside the
 * stream engine need; implemented once, in the API package, and loaded by {@link StreamingServices}.
 */
public interface StreamingAccess {

    /** Returns the graph of {@code context}. */
    DStreamGraph graph(StreamingContext context);

    /** Returns the public handle of {@code node}, a node of {@code context}'s graph. */
    <T> DStream<T> stream(StreamingContext context, DStreamNode<T> node);

    /** Returns whether {@code context} runs with backpressure (on, and under the system clock). */
    boolean backpressure(StreamingContext context);
}
