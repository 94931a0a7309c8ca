package dev.sluice.streaming.window;

import dev.sluice.core.StorageLevel;
import dev.sluice.streaming.DStream;
import java.time.Duration;
import java.util.List;

/**
 * A stream computed from its parent's batches in a window: it slides by the window's slide and
 * makes its parent keep each batch for the window's length on top of its own remember duration,
 * so a batch is released as soon as no window that may still be computed needs it.
 *
 * @param <P> the parent's element type
 * @param <T> this stream's element type
 */
abstract class WindowOperator<P, T> extends DStream<T> {
    final DStream<P> parent;
    final Window window;

    /**
     * Creates the operator; with {@code persistParent}, the parent's batches are persisted in
     * memory (unless a level was set) so that each is computed once, not once per window.
     */
    WindowOperator(DStream<P> parent, Window window, boolean persistParent, String operation) {
        super(parent.context());
        this.parent = parent;
        this.window = window;
        if (persistParent && parent.storageLevel() == StorageLevel.NONE) {
            parent.persist(StorageLevel.MEMORY);
        }
        setName(operation);
    }

    @Override
    public final Duration slideDuration() {
        return window.slide();
    }

    @Override
    public final List<DStream<?>> dependencies() {
        return List.of(parent);
    }

    @Override
    protected final Duration parentRememberDuration() {
        return rememberDuration().plus(window.length());
    }
}
