package dev.sluice.core.scheduler;

import dev.sluice.core.TaskContext;
import dev.sluice.core.dataset.DatasetNode;
import java.util.List;

/**
 * The last stage of a job: each task reads one partition of the job's node and returns the
 * action's per-partition result ({@link TaskFunction}).
 *
 * @param <T> the element type of the node
 * @param <U> the per-partition result type
 */
public final class ResultStage<T, U> extends Stage {
    private final TaskFunction<T, U> function;

    ResultStage(int id, DatasetNode<T> node, List<Integer> partitions, TaskFunction<T, U> function, JobRun job) {
        super(id, node, partitions, job);
        this.function = function;
    }

    @Override
    @SuppressWarnings("unchecked")
    U run(Task task, TaskContext context) throws Exception {
        DatasetNode<T> node = (DatasetNode<T>) task.dataset();
        return function.apply(context, node.iterator(node.partitions().get(task.partition()), context));
    }
}
