package dev.sluice.streaming.window;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.sluice.core.Dataset;
import dev.sluice.streaming.Time;
import dev.sluice.streaming.dstream.DStreamNode;
import dev.sluice.streaming.dstream.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A window's length and slide. The window ending at time {@code t} covers the batch times in
 * {@code (t - length, t]}; windows end only at multiples of the slide. Batch times at or before
 * the stream's zero time do not exist, so the first windows cover fewer batches.
 *
 * @param length how much time one window covers
 * @param slide  the interval between two windows
 */
public record Window(Duration length, Duration slide) {

    /** Checks the durations are present. */
    public Window {
        checkNotNull(length, "length");
        checkNotNull(slide, "slide");
    }

    /**
     * Returns the window of {@code length} and {@code slide} over {@code parent}.
     *
     * @throws IllegalArgumentException if either is not a positive multiple of {@code parent}'s
     *                                  slide; the message names {@code operation}, the stream and
     *                                  the three durations
     */
    public static Window of(String operation, DStreamNode<?> parent, Duration length, Duration slide) {
        checkNotNull(length, "length");
        checkNotNull(slide, "slide");
        Durations.checkWindow(operation, length, slide, parent);
        return new Window(length, slide);
    }

    /**
     * Returns {@code parent}'s datasets of the batch times in {@code (afterMillis, upToMillis]}
     * that exist (after its zero time), oldest first.
     */
    static <T> List<Dataset<T>> datasets(DStreamNode<T> parent, long afterMillis, long upToMillis) {
        long step = parent.slideDuration().toMillis();
        long floor = Math.max(afterMillis, parent.zeroTime().millis());
        List<Dataset<T>> out = new ArrayList<>();
        for (long t = upToMillis; t > floor; t -= step) {
            parent.datasetAt(new Time(t)).ifPresent(out::add);
        }
        Collections.reverse(out);
        return out;
    }

    /** Returns {@code parent}'s datasets of the whole window ending at {@code end}. */
    <T> List<Dataset<T>> datasetsEndingAt(DStreamNode<T> parent, Time end) {
        return datasets(parent, end.millis() - length.toMillis(), end.millis());
    }

    /** Returns true if consecutive windows share batches, so that each batch is read more than once. */
    boolean overlaps() {
        return length.compareTo(slide) > 0;
    }
}
