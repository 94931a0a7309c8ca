package dev.sluice.core;

/** What a running task knows about itself; passed to every partition computation. */
public interface TaskContext {

    /** Returns the id of the stage this task belongs to. */
    int stageId();

    /** Returns the index of the partition this task computes. */
    int partitionId();

    /** Returns the attempt number, from 0; greater than 0 when the task is being retried. */
    int attemptNumber();
}
