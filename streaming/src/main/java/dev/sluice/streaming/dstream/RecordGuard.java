package dev.sluice.streaming.dstream;

import dev.sluice.core.Accumulator;
import dev.sluice.core.Engine;
import dev.sluice.core.Pair;
import dev.sluice.core.function.FilterFunction;
import dev.sluice.core.function.FlatMapFunction;
import dev.sluice.core.function.MapFunction;
import dev.sluice.core.function.MapMultiFunction;
import dev.sluice.core.function.PairFunction;
import dev.sluice.streaming.BadRecordPolicy;
import dev.sluice.streaming.FailedRecord;
import dev.sluice.streaming.Time;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The bad-record policy of one context. Under {@link BadRecordPolicy#FAIL} (the default) it is
 * not consulted at all: element-wise operators get the user's function as it is, so the default
 * path costs nothing. Under {@link BadRecordPolicy#SKIP} each element-wise operator's function is
 * wrapped: a record it throws on is dropped (the operator emits nothing for it) and reported into
 * an engine accumulator, so the report is attempt-local like any accumulator update and counts
 * once even if the task is retried for another reason. After each batch the scheduler takes the
 * reports ({@link #takeFailures}) and hands them to listeners and the dead-letter stream.
 *
 * <p>Threading: configured before start; wrapped functions run on worker threads and only add to
 * the accumulator; {@link #takeFailures} runs on the job thread.
 */
public final class RecordGuard {
    /** What a wrapped function reports from a task: the batch time is added when the batch completes. */
    record Failure(Object record, int operatorId, String operatorName, Throwable exception) {
    }

    /** The operator a wrapped function belongs to: known once its node is made, before start. */
    public static final class Operator {
        private final Accumulator<Failure, List<Failure>> failures;
        private volatile DStreamNode<?> node;

        Operator(Accumulator<Failure, List<Failure>> failures) {
            this.failures = failures;
        }

        /** Binds this operator to its node. */
        public void bind(DStreamNode<?> newNode) {
            this.node = newNode;
        }

        private void report(Object record, Exception e) {
            DStreamNode<?> n = node;
            failures.add(new Failure(record, n.id(), n.name(), e));
        }

        /** Returns {@code f} as a mapMulti that emits nothing for a record {@code f} throws on. */
        public <T, R> MapMultiFunction<T, R> map(MapFunction<? super T, ? extends R> f) {
            return (t, sink) -> {
                R out;
                try {
                    out = f.call(t);
                } catch (Exception e) {
                    report(t, e);
                    return;
                }
                sink.accept(out);
            };
        }

        /** Returns {@code f} as a mapMulti of pairs that emits nothing for a record {@code f} throws on. */
        @SuppressWarnings("unchecked")
        public <T, K, V> MapMultiFunction<T, Pair<K, V>> mapToPair(PairFunction<? super T, ? extends K, ? extends V> f) {
            return map(t -> (Pair<K, V>) f.call(t));
        }

        /** Returns {@code f} as a filter that drops a record {@code f} throws on. */
        public <T> FilterFunction<T> filter(FilterFunction<? super T> f) {
            return t -> {
                try {
                    return f.call(t);
                } catch (Exception e) {
                    report(t, e);
                    return false;
                }
            };
        }

        /** Returns {@code f} as a flatMap that returns nothing for a record {@code f} throws on. */
        public <T, R> FlatMapFunction<T, R> flatMap(FlatMapFunction<? super T, ? extends R> f) {
            return t -> {
                try {
                    Iterable<? extends R> out = f.call(t);
                    return out == null ? List.of() : copy(out);
                } catch (Exception e) {
                    report(t, e);
                    return List.of();
                }
            };
        }

        /** Returns {@code f} as a flatMap of one value, none for a value {@code f} throws on. */
        public <T, R> FlatMapFunction<T, R> mapToOne(MapFunction<? super T, ? extends R> f) {
            return t -> {
                try {
                    return Collections.singletonList(f.call(t));
                } catch (Exception e) {
                    report(t, e);
                    return List.of();
                }
            };
        }

        /** Returns {@code f} buffered per record, so a record it throws on emits nothing. */
        public <T, R> MapMultiFunction<T, R> mapMulti(MapMultiFunction<? super T, ? extends R> f) {
            return (t, sink) -> {
                List<R> buffer = new ArrayList<>();
                try {
                    f.call(t, buffer::add);
                } catch (Exception e) {
                    report(t, e);
                    return;
                }
                buffer.forEach(sink);
            };
        }

        /** The iterable is consumed here, so an exception while iterating it is the record's too. */
        private static <R> List<R> copy(Iterable<? extends R> out) {
            List<R> list = new ArrayList<>();
            out.forEach(list::add);
            return list;
        }
    }

    private final BadRecordPolicy policy;
    private final String accumulatorName;
    private final Accumulator<Failure, List<Failure>> failures;
    private final java.util.Queue<List<FailedRecord<?>>> deadLetters = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private volatile boolean deadLettersRead;

    /** Creates the guard of a context running on {@code engine}. */
    public RecordGuard(Engine engine, BadRecordPolicy policy) {
        this.policy = policy;
        if (policy == BadRecordPolicy.SKIP) {
            this.accumulatorName = "sluice.failedRecords." + UUID.randomUUID();
            this.failures = engine.collectionAccumulator(accumulatorName);
        } else {
            this.accumulatorName = null;
            this.failures = null;
        }
    }

    /** Notes that a dead-letter stream exists, so completed batches' failures are queued for it. */
    public void readDeadLetters() {
        deadLettersRead = true;
    }

    /** Queues {@code failed} for the dead-letter stream, if there is one. */
    public void offerDeadLetters(List<FailedRecord<?>> failed) {
        if (deadLettersRead && !failed.isEmpty()) {
            deadLetters.add(failed);
        }
    }

    /** Returns the queue the dead-letter stream reads: each completed batch's failed records, as one list. */
    public java.util.Queue<List<FailedRecord<?>>> deadLetterQueue() {
        return deadLetters;
    }

    /** Returns true if records whose function throws are skipped. */
    public boolean skips() {
        return policy == BadRecordPolicy.SKIP;
    }

    /** Returns the policy. */
    public BadRecordPolicy policy() {
        return policy;
    }

    /** Returns a new operator to wrap functions for; bind it to its node once made. Only when {@link #skips()}. */
    public Operator operator() {
        return new Operator(failures);
    }

    /**
     * Removes this guard's reports from {@code accumulatorUpdates} (what the engine's named
     * accumulators merged since the last batch) and returns them as failed records of batch
     * {@code time}.
     */
    public List<FailedRecord<?>> takeFailures(Map<String, Object> accumulatorUpdates, Time time) {
        if (accumulatorName == null) {
            return List.of();
        }
        Object taken = accumulatorUpdates.remove(accumulatorName);
        if (taken == null) {
            return List.of();
        }
        failures.reset(); // only the updates are read; the value would grow for good
        List<FailedRecord<?>> out = new ArrayList<>();
        for (Object o : (List<?>) taken) {
            Failure f = (Failure) o;
            out.add(new FailedRecord<>(f.record(), f.operatorId(), f.operatorName(), time, f.exception()));
        }
        return out;
    }
}
