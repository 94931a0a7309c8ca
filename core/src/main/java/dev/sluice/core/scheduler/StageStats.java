package dev.sluice.core.scheduler;

import dev.sluice.core.dataset.DatasetNode;
import dev.sluice.core.dataset.NodeDependency;
import dev.sluice.core.shuffle.ShuffleDependency;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The running figures of one stage while a {@link StageListener} listens: attempts, failures and
 * shuffle records, updated by worker threads once per task attempt (never per record). Created
 * only when the scheduler has listeners, so a stage costs nothing extra otherwise.
 */
final class StageStats {
    final List<Integer> parentStageIds = new ArrayList<>();
    final AtomicInteger attempts = new AtomicInteger();
    final AtomicInteger failedAttempts = new AtomicInteger();
    final AtomicLong shuffleRecords = new AtomicLong();
    volatile long startNanos;

    /** Returns the report of {@code stage}, which ended now. */
    StageRun report(Stage stage, boolean succeeded) {
        List<Integer> ids = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (DatasetNode<?> n : covered(stage.node())) {
            ids.add(n.id());
            names.add(n.name());
        }
        long start = startNanos;
        boolean map = stage instanceof ShuffleMapStage;
        return new StageRun(stage.job().id, stage.job().tag, stage.id(), map, parentStageIds, ids, names,
                stage.partitions().size(), attempts.get(), failedAttempts.get(), start,
                start == 0 ? 0 : System.nanoTime() - start, map ? shuffleRecords.get() : -1, succeeded);
    }

    /**
     * The nodes a stage's tasks compute: {@code node} and what it reads through narrow
     * dependencies, not past a cached node (read from the block store) or a shuffle.
     */
    static List<DatasetNode<?>> covered(DatasetNode<?> node) {
        List<DatasetNode<?>> out = new ArrayList<>();
        Deque<DatasetNode<?>> toVisit = new ArrayDeque<>();
        toVisit.push(node);
        while (!toVisit.isEmpty()) {
            DatasetNode<?> current = toVisit.pop();
            if (out.contains(current)) { // a stage covers a handful of nodes: a list beats a hash set
                continue;
            }
            out.add(current);
            if (current.isFullyCached()) {
                continue;
            }
            for (NodeDependency dep : current.dependencies()) {
                if (!(dep instanceof ShuffleDependency<?, ?, ?>)) {
                    toVisit.push(dep.parent());
                }
            }
        }
        return out;
    }
}
