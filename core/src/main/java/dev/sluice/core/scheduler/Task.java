package dev.sluice.core.scheduler;

import dev.sluice.core.TaskContext;
import dev.sluice.core.accumulator.TaskUpdates;
import dev.sluice.core.dataset.DatasetNode;

/**
 * One attempt of one task: the unit an {@link ExecutorBackend} runs. It carries everything it
 * needs, its stage, the node it reads, the partition and the attempt number, and {@link #run}
 * returns its value: the action's per-partition result for a {@link ResultStage}, a
 * {@code MapOutput} for a {@link ShuffleMapStage}. Running a task has no other effect on the
 * engine: the scheduler registers map outputs when it receives them.
 *
 * @param stage the stage the task belongs to
 * @param dataset the node whose partition it computes
 * @param partition the partition index
 * @param attempt the attempt number, from 0
 */
public record Task(Stage stage, DatasetNode<?> dataset, int partition, int attempt) {

    /**
     * Runs this task with {@code context} (whose ids are this task's) and returns its value, a
     * {@link TaskResult} of the stage's value and the attempt's accumulator updates.
     */
    public Object run(TaskContext context) throws Exception {
        TaskUpdates updates = TaskUpdates.begin();
        try {
            return new TaskResult(stage.run(this, context), updates);
        } finally {
            updates.end();
        }
    }

    /** Returns the context a backend passes to {@link #run}: this task's stage, partition and attempt. */
    public TaskContext context() {
        return new RunningTask(stage.id(), partition, attempt);
    }

    /** Returns true if the task's job has failed, so the task should not start. */
    public boolean isCancelled() {
        return stage.isCancelled();
    }

    @Override
    public String toString() {
        return "stage " + stage.id() + " task " + partition + " attempt " + attempt;
    }
}
