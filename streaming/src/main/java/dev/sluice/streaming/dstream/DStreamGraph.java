package dev.sluice.streaming.dstream;

import dev.sluice.streaming.DStream;
import dev.sluice.streaming.Time;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * All streams of one context: the inputs, which receive or read data, and the outputs, which turn
 * each batch into jobs.
 *
 * <p>Threading: built on the user's thread before start; afterwards read by the generator thread
 * and cleared by the job thread (the lists are copy-on-write; streams guard their own state).
 */
public final class DStreamGraph {
    private final AtomicInteger streamIds = new AtomicInteger();
    private final List<InputDStream<?>> inputs = new CopyOnWriteArrayList<>();
    private final List<ForEachDStream<?>> outputs = new CopyOnWriteArrayList<>();

    /** Registers a new stream and returns its id. */
    public int register(DStream<?> stream) {
        if (stream instanceof InputDStream<?> input) {
            inputs.add(input);
        }
        return streamIds.getAndIncrement();
    }

    /** Adds an output operation. */
    public void addOutput(ForEachDStream<?> output) {
        outputs.add(output);
    }

    /** Returns the input streams. */
    public List<InputDStream<?>> inputs() {
        return List.copyOf(inputs);
    }

    /** Returns the output streams. */
    public List<ForEachDStream<?>> outputs() {
        return List.copyOf(outputs);
    }

    /**
     * Checks the graph before start.
     *
     * @throws IllegalStateException if there is no output or a stream's settings are invalid
     */
    public void validate() {
        if (outputs.isEmpty()) {
            throw new IllegalStateException("cannot start: no output operation is defined; call print(), "
                    + "foreachBatch(...) or saveAsTextFiles(...) on a stream before start()");
        }
        for (ForEachDStream<?> output : outputs) {
            output.validateAtStart();
        }
    }

    /** Sets the zero time of every stream. */
    public void initialize(Time zero) {
        for (InputDStream<?> input : inputs) {
            input.initialize(zero);
        }
        for (ForEachDStream<?> output : outputs) {
            output.initialize(zero);
        }
    }

    /** Returns the jobs of batch {@code time}, one per output that has data at that time. */
    public List<BatchJob> generateJobs(Time time) {
        List<BatchJob> jobs = new ArrayList<>(outputs.size());
        for (ForEachDStream<?> output : outputs) {
            output.jobAt(time).ifPresent(jobs::add);
        }
        return jobs;
    }

    /** Forgets what no stream needs after batch {@code time} completed. */
    public void clearMetadata(Time time) {
        for (ForEachDStream<?> output : outputs) {
            output.clearMetadata(time);
        }
        for (InputDStream<?> input : inputs) {
            input.clearMetadata(time);
        }
    }
}
