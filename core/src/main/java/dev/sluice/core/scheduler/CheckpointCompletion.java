package dev.sluice.core.scheduler;

import dev.sluice.core.checkpoint.CheckpointFiles;
import dev.sluice.core.dataset.CheckpointedDataset;
import dev.sluice.core.dataset.DatasetNode;
import dev.sluice.core.dataset.NodeDependency;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checkpoint-completion protocol, run after every job: for each node in the job's lineage
 * that was marked for checkpointing and is not checkpointed yet, write the partitions the job did
 * not write (one more job), then switch the node to its files and release its parents.
 *
 * <h2>Design notes</h2>
 *
 * <p><b>Where partitions get written.</b> A task that computes a node with a pending checkpoint
 * writes that partition's file on its way ({@code PartitionReader}); this protocol writes only the
 * partitions no task computed, and skips a file that a concurrent job wrote meanwhile.
 *
 * <p><b>Threading.</b> Runs on the thread that ran the job. Two jobs may finish concurrently over
 * the same node: the node's monitor makes the completion happen once (the second finds it no
 * longer pending). The monitor is otherwise taken only for the one-time lazy computation of a
 * node's partitions and dependencies, which for this node is done before its protocol runs a
 * job, so the tasks of that job never wait for it.
 *
 * <p><b>The parents lock.</b> {@link DatasetNode#completeCheckpoint} publishes the checkpoint data
 * first, then takes the node's {@code parentsLock} write lock to release the parents. Tasks hold
 * the read lock while they pick where a partition comes from and build its iterator, so a task
 * that began before the switch keeps the parents it saw and one that begins after reads the
 * files; the write lock is taken with no other parents lock held, and read locks are taken child
 * before parent, so there is no lock-order cycle. The full rules are in {@code PartitionReader}.
 *
 * <p><b>Failure.</b> A failure writing the missing partitions fails the caller's job (after its
 * own results were computed); the node stays pending and a later job tries again.
 */
final class CheckpointCompletion {
    private static final Logger log = LoggerFactory.getLogger(CheckpointCompletion.class);

    private final DagScheduler scheduler;
    private final CheckpointFiles files;

    CheckpointCompletion(DagScheduler scheduler, CheckpointFiles files) {
        this.scheduler = scheduler;
        this.files = files;
    }

    /** Completes the pending checkpoints in {@code node}'s lineage. */
    void completeAfterJob(DatasetNode<?> node) {
        for (DatasetNode<?> pending : pendingCheckpoints(node)) {
            complete(pending);
        }
    }

    private static List<DatasetNode<?>> pendingCheckpoints(DatasetNode<?> node) {
        List<DatasetNode<?>> out = new ArrayList<>();
        Set<Integer> visited = new HashSet<>();
        Deque<DatasetNode<?>> toVisit = new ArrayDeque<>();
        toVisit.push(node);
        while (!toVisit.isEmpty()) {
            DatasetNode<?> current = toVisit.pop();
            if (!visited.add(current.id()) || current.isCheckpointed()) {
                continue;
            }
            if (current.isCheckpointPending()) {
                out.add(current);
            }
            for (NodeDependency dep : current.dependencies()) {
                toVisit.push(dep.parent());
            }
        }
        return out;
    }

    private <T> void complete(DatasetNode<T> node) {
        synchronized (node) {
            if (!node.isCheckpointPending()) {
                return;
            }
            String path = node.checkpointPath();
            List<Integer> missing = new ArrayList<>();
            for (int p = 0; p < node.numPartitions(); p++) {
                if (!files.hasPartition(path, p)) {
                    missing.add(p);
                }
            }
            if (!missing.isEmpty()) {
                scheduler.runJob(node, missing, (ctx, it) -> {
                    if (!files.hasPartition(path, ctx.partitionId())) {
                        files.writePartition(path, ctx.partitionId(), it);
                    }
                    return Boolean.TRUE;
                });
            }
            node.completeCheckpoint(new CheckpointedDataset<>(node.services(), path, node.numPartitions(),
                    node.partitioner().orElse(null)));
            log.debug("checkpointed dataset {} to {}", node, path);
        }
    }
}
