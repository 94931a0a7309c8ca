package dev.sluice.streaming.state;

/**
 * A state dataset that can drop its references to its parents once it is checkpointed. A state
 * dataset reads the previous one, so without this every state dataset would keep the whole
 * chain of earlier batches (and their shuffle outputs) reachable, checkpoint or not.
 */
interface CheckpointedLineage {

    /** Drops the references to the parents if the checkpoint is complete; returns true if it did. */
    boolean releaseParentsIfCheckpointed();
}
