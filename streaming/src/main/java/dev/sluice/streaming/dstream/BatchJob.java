package dev.sluice.streaming.dstream;

import dev.sluice.streaming.Time;

/**
 * One output operation's work for one batch.
 *
 * @param time   the batch time
 * @param output the output stream's description, for logs and errors
 * @param body   what to run
 */
public record BatchJob(Time time, String output, Body body) {

    /** The work itself; may throw, which fails this job. */
    @FunctionalInterface
    public interface Body {
        /** Runs the job. */
        void run() throws Exception;
    }
}
