package dev.sluice.streaming.window;

import dev.sluice.core.StorageLevel;
import dev.sluice.streaming.dstream.DStreamNode;
import dev.sluice.streaming.dstream.OperatorKind;
import dev.sluice.streaming.dstream.SingleParentNode;
import java.time.Duration;

/**
 * A node computed from its parent's batches in a window: it slides by the window's slide and
 * makes its parent keep each batch for the window's length on top of its own remember duration,
 * so a batch is released as soon as no window that may still be computed needs it.
 *
 * @param <P> the parent's element type
 * @param <T> this node's element type
 */
abstract class WindowOperator<P, T> extends SingleParentNode<P, T> {
    final Window window;

    /**
     * Creates the operator; with {@code persistParent}, the parent's batches are persisted in
     * memory (unless a level was set) so that each is computed once, not once per window.
     */
    WindowOperator(DStreamNode<P> parent, Window window, boolean persistParent, OperatorKind kind) {
        super(parent, kind);
        this.window = window;
        if (persistParent && parent.storageLevel() == StorageLevel.NONE) {
            parent.persist(StorageLevel.MEMORY);
        }
    }

    @Override
    public final Duration slideDuration() {
        return window.slide();
    }

    @Override
    protected final Duration parentRememberDuration() {
        return rememberDuration().plus(window.length());
    }
}
