package dev.sluice.core.scheduler;

import dev.sluice.core.TaskContext;
import dev.sluice.core.dataset.DatasetNode;
import java.util.List;

/**
 * One stage of the physical plan of a job run: the tasks that compute some partitions of one
 * node, a pass over narrow dependencies that ends at a shuffle boundary ({@link ShuffleMapStage})
 * or at the job's own result ({@link ResultStage}). Stages are planned per run of a job by the
 * {@link DagScheduler}; a task of a stage is a {@link Task}.
 *
 * <p>Threading: immutable, except for the failure of the job run it belongs to and the figures
 * a {@link StageListener} gets ({@link StageStats}, set at planning, before any task runs).
 */
public abstract sealed class Stage permits ShuffleMapStage, ResultStage {
    private final int id;
    private final DatasetNode<?> node;
    private final List<Integer> partitions;
    private final JobRun job;
    /** The figures for the stage listeners; null when there are none. Set at planning. */
    StageStats stats;

    Stage(int id, DatasetNode<?> node, List<Integer> partitions, JobRun job) {
        this.id = id;
        this.node = node;
        this.partitions = List.copyOf(partitions);
        this.job = job;
    }

    /** Returns the stage id, unique within the engine. */
    public int id() {
        return id;
    }

    /** Returns the node whose partitions this stage's tasks compute. */
    public DatasetNode<?> node() {
        return node;
    }

    /** Returns the partitions of {@link #node()} this stage computes. */
    public List<Integer> partitions() {
        return partitions;
    }

    /** Returns true once the job run of this stage has failed: its tasks that have not started are skipped. */
    public boolean isCancelled() {
        return job.isFailed();
    }

    JobRun job() {
        return job;
    }

    /** Runs the work of one task of this stage on the records of its partition. */
    abstract Object run(Task task, TaskContext context) throws Exception;

    @Override
    public String toString() {
        return getClass().getSimpleName() + " " + id + " of " + node;
    }
}
