package dev.sluice.streaming.spi;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.sluice.core.SluiceException;
import dev.sluice.streaming.DStream;
import dev.sluice.streaming.StreamingContext;
import dev.sluice.streaming.dstream.DStreamGraph;
import dev.sluice.streaming.dstream.InputDStream;
import java.lang.reflect.Constructor;

/**
 * What a module beside the stream engine (the Kafka module) needs from a {@link StreamingContext}
 * beyond the API: its graph, to build an input node on, and the {@link DStream} handle of that
 * node. The bridge to the API package's package-private side is loaded once, from the class
 * {@code dev.sluice.streaming.StreamingBridge}, as core's SPI does; nothing can replace it.
 *
 * <p>Threading: safe from any thread; the graph itself is built on the user's thread before start.
 */
public final class StreamingServices {
    private static final StreamingAccess ACCESS = load();

    private StreamingServices() {
    }

    /** Returns the graph of {@code context}, to construct an {@link InputDStream} on. */
    public static DStreamGraph graph(StreamingContext context) {
        return ACCESS.graph(checkNotNull(context, "context"));
    }

    /** Returns the stream of {@code input}, which must have been built on {@code context}'s graph. */
    public static <T> DStream<T> stream(StreamingContext context, InputDStream<T> input) {
        checkNotNull(input, "input");
        checkArgument(input.graph() == graph(context), "input %s belongs to another context's graph", input);
        return ACCESS.stream(context, input);
    }

    /** Returns whether {@code context} runs with backpressure, so rate-limited inputs get quotas. */
    public static boolean backpressure(StreamingContext context) {
        return ACCESS.backpressure(checkNotNull(context, "context"));
    }

    private static StreamingAccess load() {
        try {
            Constructor<?> constructor = Class.forName("dev.sluice.streaming.StreamingBridge").getDeclaredConstructor();
            constructor.setAccessible(true);
            return (StreamingAccess) constructor.newInstance();
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new SluiceException("cannot load the streaming SPI bridge dev.sluice.streaming.StreamingBridge: " + e,
                    e);
        }
    }
}
