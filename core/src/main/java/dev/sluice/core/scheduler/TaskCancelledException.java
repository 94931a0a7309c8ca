package dev.sluice.core.scheduler;

/** Completes the future of a task that did not run because its job had already failed. */
public final class TaskCancelledException extends RuntimeException {

    /** Creates the exception for {@code task}. */
    public TaskCancelledException(Task task) {
        super(task + " skipped: its job already failed", null, false, false);
    }
}
