package dev.sluice.streaming.dstream;

import dev.sluice.streaming.Time;
import dev.sluice.streaming.checkpoint.InputAllocation;
import java.util.Map;
import java.util.NavigableMap;

/**
 * An input whose batches can be given again after a crash: it says what each batch took (for the
 * metadata checkpoint) and, at recovery, takes back what was recorded, so that a re-run batch, or
 * a completed one whose data a restored state or window recomputes, reads the same records.
 *
 * <p>Implemented by the list input (by batch time) and the file stream (the files of each batch);
 * the receiver input's implementation reads its blocks back from the write-ahead log (through the
 * receiver tracker's {@code recover}), which is wired separately.
 *
 * <p>Threading: {@link #allocationsAt} and {@link #forgetBefore} run on the job thread while the
 * generator thread computes later batches; {@link #replay} runs on the starting thread before the
 * generator starts.
 */
public interface RecoverableInput {

    /**
     * Returns what batch {@code time} took, keyed by {@code uid} (and, for an input with more to
     * record, keys starting with {@code uid + "#"}); empty if this input has no record of that
     * batch. {@code newest} is true for the newest batch recorded in this checkpoint, which may
     * carry what the input needs to continue (a file stream's set of files already read).
     */
    Map<String, InputAllocation> allocationsAt(String uid, Time time, boolean newest);

    /** Drops the records of batches before {@code time}: no checkpoint will ask for them again. */
    void forgetBefore(Time time);

    /**
     * Takes back the recorded batches (each batch's entries as {@link #allocationsAt} returned
     * them), so batches at those times read the recorded data.
     *
     * @throws IllegalStateException if the records do not fit this input
     */
    void replay(String uid, NavigableMap<Time, Map<String, InputAllocation>> batches);
}
