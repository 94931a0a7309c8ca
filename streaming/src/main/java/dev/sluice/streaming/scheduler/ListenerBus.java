package dev.sluice.streaming.scheduler;

import dev.sluice.streaming.StreamingListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers events to listeners synchronously, on the thread that raised them, in order. A
 * listener that throws is logged and skipped; it never breaks the engine.
 */
public final class ListenerBus {
    private static final Logger log = LoggerFactory.getLogger(ListenerBus.class);
    private final List<StreamingListener> listeners = new CopyOnWriteArrayList<>();

    /** Adds a listener. */
    public void add(StreamingListener listener) {
        listeners.add(listener);
    }

    /** Removes a listener. */
    public void remove(StreamingListener listener) {
        listeners.remove(listener);
    }

    /** Calls {@code event} on every listener. */
    public void post(Consumer<StreamingListener> event) {
        for (StreamingListener l : listeners) {
            try {
                event.accept(l);
            } catch (RuntimeException e) {
                log.warn("listener {} threw; ignoring it for this event", l, e);
            }
        }
    }
}
