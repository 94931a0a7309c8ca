package dev.sluice.streaming.window;

import dev.sluice.core.Dataset;
import dev.sluice.streaming.Time;
import dev.sluice.streaming.dstream.DStreamNode;
import dev.sluice.streaming.dstream.OperatorKind;
import java.util.List;
import java.util.Optional;

/**
 * {@code window(length, slide)}: at each multiple of the slide, the union of the parent's
 * batches in the window (narrow, no data moved). When windows overlap the parent is persisted
 * in memory (unless it already has a level), so a batch is computed once, not once per window.
 */
public final class WindowedDStream<T> extends WindowOperator<T, T> {

    /** Creates the window {@code window} (checked against {@code parent} by {@link Window#of}). */
    public WindowedDStream(DStreamNode<T> parent, Window window) {
        super(parent, window, window.overlaps(), OperatorKind.WINDOW);
    }

    @Override
    protected Optional<Dataset<T>> compute(Time time) {
        List<Dataset<T>> batches = window.datasetsEndingAt(parent(), time);
        if (batches.isEmpty()) {
            return Optional.of(engine().emptyDataset());
        }
        return Optional.of(engine().union(batches));
    }
}
