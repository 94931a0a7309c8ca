package dev.sluice.streaming.dstream;

import dev.sluice.streaming.Time;

/**
 * One output operation's work for one batch.
 *
 * @param time   the batch time
 * @param output the output stream's description, for logs and errors
 * @param body   what to run
 * @param commit how the output's commit log records the batch ({@link Commit#NONE} for outputs
 *               that run again on replay)
 */
public record BatchJob(Time time, String output, Body body, Commit commit) {

    /** A job of an output without a commit log. */
    public BatchJob(Time time, String output, Body body) {
        this(time, output, body, Commit.NONE);
    }

    /** The work itself; may throw, which fails this job. */
    @FunctionalInterface
    public interface Body {
        /** Runs the job. */
        void run() throws Exception;
    }

    /**
     * An output's commit log entry for this batch: the scheduler runs {@link #skip} instead of the
     * body if an earlier run committed the batch, else the body and then {@link #record}.
     */
    public interface Commit {
        /** For outputs without a commit log: never committed, records nothing. */
        Commit NONE = new Commit() {
            @Override
            public boolean isCommitted() {
                return false;
            }

            @Override
            public void skip() {
            }

            @Override
            public void record() {
            }

            @Override
            public boolean isLogged() {
                return false;
            }
        };

        /** Returns true if the output's commit log already records the batch (a replay). */
        boolean isCommitted();

        /** Runs instead of the body of a committed batch: computes what state needs, writes nothing. */
        void skip() throws Exception;

        /** Records the batch in the output's commit log, after the body succeeded. */
        void record();

        /** Returns true if this output has a commit log (so a crash can fall between body and {@link #record}). */
        boolean isLogged();
    }
}
