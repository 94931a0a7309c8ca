package dev.sluice.streaming.dstream;

import static com.google.common.base.Preconditions.checkArgument;

import java.time.Duration;
import java.util.List;

/** Checks and arithmetic on stream durations, with error messages that say how to fix them. */
public final class Durations {
    /** The default checkpoint interval is the smallest multiple of the slide at least this long. */
    static final Duration MIN_DEFAULT_CHECKPOINT = Duration.ofSeconds(10);

    private Durations() {
    }

    /** Returns the smallest multiple of {@code slide} that is at least 10 seconds. */
    public static Duration defaultCheckpointInterval(Duration slide) {
        long step = slide.toMillis();
        long multiples = Math.max(1, (MIN_DEFAULT_CHECKPOINT.toMillis() + step - 1) / step);
        return Duration.ofMillis(step * multiples);
    }

    /** Returns the longer of two durations. */
    public static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /**
     * Checks that {@code value} is a positive multiple of {@code stream}'s slide.
     *
     * @throws IllegalArgumentException naming the stream, both durations and the nearest valid values
     */
    public static void checkMultiple(String what, Duration value, DStreamNode<?> stream) {
        Duration slide = stream.slideDuration();
        if (value.isNegative() || value.isZero() || value.toMillis() % slide.toMillis() != 0) {
            throw new IllegalArgumentException(String.format(
                    "%s %s of stream %s must be a positive multiple of its slide %s; try %s", what, value, stream,
                    slide, suggestions(value, slide)));
        }
    }

    /**
     * Checks that a window's {@code length} and {@code slide} are positive multiples of the slide
     * of {@code parent}, the stream the window is taken over.
     *
     * @throws IllegalArgumentException naming the operation, the stream, the three durations and
     *                                  the nearest valid values
     */
    public static void checkWindow(String operation, Duration length, Duration slide, DStreamNode<?> parent) {
        checkWindowPart("window length", length, operation, length, slide, parent);
        checkWindowPart("window slide", slide, operation, length, slide, parent);
    }

    private static void checkWindowPart(String what, Duration value, String operation, Duration length,
                                        Duration slide, DStreamNode<?> parent) {
        Duration parentSlide = parent.slideDuration();
        if (value.isNegative() || value.isZero() || value.toMillis() % parentSlide.toMillis() != 0) {
            throw new IllegalArgumentException(String.format(
                    "%s %s of %s over stream %s must be a positive multiple of that stream's slide %s; try %s "
                            + "(window length %s, window slide %s)",
                    what, value, operation, parent, parentSlide, suggestions(value, parentSlide), length, slide));
        }
    }

    /** Returns "X or Y": the nearest multiples of {@code slide} around {@code value}. */
    static String suggestions(Duration value, Duration slide) {
        long step = slide.toMillis();
        long below = value.toMillis() / step * step;
        if (below <= 0) {
            return Duration.ofMillis(step).toString();
        }
        return Duration.ofMillis(below) + " or " + Duration.ofMillis(below + step);
    }

    /**
     * Checks that {@code parents} (of a {@code verb} operation: "union", "transform") are at least
     * one stream, all of the same slide and the same context; returns the first.
     */
    static DStreamNode<?> checkSameSlide(String verb, List<? extends DStreamNode<?>> parents) {
        checkArgument(!parents.isEmpty(), "%s needs at least one stream", verb);
        DStreamNode<?> first = parents.get(0);
        for (DStreamNode<?> p : parents) {
            checkArgument(p.slideDuration().equals(first.slideDuration()),
                    "cannot %s stream %s (slide %s) with stream %s (slide %s): slides must be equal",
                    verb, p, p.slideDuration(), first, first.slideDuration());
            checkArgument(p.graph() == first.graph(), "stream %s belongs to another context", p);
        }
        return first;
    }
}
