package dev.sluice.core.scheduler;

import dev.sluice.core.Pair;
import dev.sluice.core.TaskContext;
import dev.sluice.core.dataset.DatasetNode;
import dev.sluice.core.shuffle.MapOutput;
import dev.sluice.core.shuffle.ShuffleDependency;
import java.util.List;

/**
 * A stage that writes the map side of one shuffle: each task reads one partition of the
 * shuffle's parent and returns its {@link MapOutput}; the scheduler puts the output into the
 * {@link ShuffleDependency} once the task has succeeded.
 */
public final class ShuffleMapStage extends Stage {
    private final ShuffleDependency<Object, Object, Object> shuffle;

    @SuppressWarnings("unchecked")
    ShuffleMapStage(int id, ShuffleDependency<?, ?, ?> shuffle, List<Integer> missing, JobRun job) {
        super(id, shuffle.parent(), missing, job);
        this.shuffle = (ShuffleDependency<Object, Object, Object>) shuffle;
    }

    /** Returns the shuffle this stage writes. */
    public ShuffleDependency<?, ?, ?> shuffle() {
        return shuffle;
    }

    @Override
    @SuppressWarnings("unchecked")
    MapOutput run(Task task, TaskContext context) {
        DatasetNode<Pair<Object, Object>> parent = (DatasetNode<Pair<Object, Object>>) task.dataset();
        return shuffle.write(parent.iterator(parent.partitions().get(task.partition()), context));
    }

    /** Registers the output of a succeeded task; a retried task's second output keeps the first. */
    void register(int mapIndex, MapOutput output) {
        shuffle.putOutput(mapIndex, output);
    }
}
