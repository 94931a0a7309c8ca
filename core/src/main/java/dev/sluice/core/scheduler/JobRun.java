package dev.sluice.core.scheduler;

import dev.sluice.core.JobFailedException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One planned run of a job: its map stages' futures, by shuffle id (planning only, on the caller's
 * thread), and its first failure (set by any worker, read by all).
 */
final class JobRun {
    final int id;
    final Map<Integer, CompletableFuture<Void>> stages = new HashMap<>();
    /** The ids of the map stages planned in this run, by shuffle id (planning only). */
    final Map<Integer, Integer> stageIds = new HashMap<>();
    /** The tag of the thread that ran the job (see {@code DagScheduler.setJobTag}), or null. */
    final Object tag;
    final AtomicReference<JobFailedException> failure = new AtomicReference<>();

    /** Result partitions whose accumulator updates were merged, shared by every run of the same job. */
    final Set<Integer> countedResults;

    JobRun(int id, Set<Integer> countedResults, Object tag) {
        this.id = id;
        this.countedResults = countedResults;
        this.tag = tag;
    }

    boolean isFailed() {
        return failure.get() != null;
    }
}
