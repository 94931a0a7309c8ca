package dev.sluice.streaming.dstream;

import java.time.Duration;
import java.util.List;

/**
 * A node with one parent, sliding with it unless it says otherwise (a window slides by its
 * window's slide): the plumbing every one-parent operator shares.
 *
 * @param <P> the parent's element type
 * @param <T> this node's element type
 */
public abstract class SingleParentNode<P, T> extends DStreamNode<T> {
    private final DStreamNode<P> parent;

    /** Creates the node of {@code kind} over {@code parent}, in the parent's graph. */
    protected SingleParentNode(DStreamNode<P> parent, OperatorKind kind) {
        super(parent.graph(), kind);
        this.parent = parent;
    }

    /** Returns the node this one reads. */
    public final DStreamNode<P> parent() {
        return parent;
    }

    @Override
    public Duration slideDuration() {
        return parent.slideDuration();
    }

    @Override
    public final List<DStreamNode<?>> parents() {
        return List.of(parent);
    }
}
