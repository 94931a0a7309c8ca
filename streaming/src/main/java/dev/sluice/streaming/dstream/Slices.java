package dev.sluice.streaming.dstream;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import dev.sluice.core.Dataset;
import dev.sluice.streaming.Time;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code DStream.slice}: the remembered datasets of a node between two times. It never computes
 * a batch: a batch that is not remembered (forgotten, or not generated yet) is an error naming
 * the requested and the remembered times.
 */
public final class Slices {
    private Slices() {
    }

    /**
     * Returns the datasets of {@code node}'s batch times in {@code [from, to]}, oldest first: the
     * times that are multiples of its slide after its zero time ({@code from} rounds up to one,
     * {@code to} down).
     *
     * @throws IllegalStateException if the context has not started
     * @throws IllegalArgumentException if {@code from} is after {@code to}, or a batch time in
     *                                  between is not remembered
     */
    public static <T> List<Dataset<T>> slice(DStreamNode<T> node, Time from, Time to) {
        checkNotNull(from, "from");
        checkNotNull(to, "to");
        checkArgument(!from.isAfter(to), "cannot slice stream %s: from %s is after to %s", node, from, to);
        Time zero = node.zeroTime();
        checkState(zero != null, "cannot slice stream %s before the context has started: it has no batches yet",
                node);
        long slide = node.slideDuration().toMillis();
        long first = Math.max(zero.millis() + slide, ceilToSlide(from.millis(), zero.millis(), slide));
        List<Dataset<T>> out = new ArrayList<>();
        List<Long> missing = new ArrayList<>();
        for (long t = first; t <= to.millis(); t += slide) {
            Optional<Dataset<T>> ds = node.rememberedAt(new Time(t));
            if (ds.isPresent()) {
                out.add(ds.get());
            } else {
                missing.add(t);
            }
        }
        if (!missing.isEmpty()) {
            List<Time> remembered = node.rememberedTimes();
            throw new IllegalArgumentException(String.format("cannot slice stream %s from %s to %s: batch times %s "
                    + "are not remembered; it remembers %s (remember duration %s); to reach further back call "
                    + "StreamingContext.remember(Duration) before start()", node, from, to, describe(missing),
                    remembered.isEmpty() ? "no batches" : remembered.get(0) + " to " + remembered.get(remembered.size() - 1),
                    node.rememberDuration()));
        }
        return out;
    }

    private static long ceilToSlide(long millis, long zero, long slide) {
        long k = Math.floorDiv(millis - zero + slide - 1, slide);
        return zero + k * slide;
    }

    private static String describe(List<Long> times) {
        if (times.size() <= 5) {
            return times.stream().map(t -> t + " ms").toList().toString();
        }
        return "[" + times.get(0) + " ms ... " + times.get(times.size() - 1) + " ms (" + times.size() + " times)]";
    }
}
