package dev.sluice.core.scheduler;

import dev.sluice.core.JobFailedException;
import dev.sluice.core.SluiceException;
import dev.sluice.core.dataset.DatasetNode;
import dev.sluice.core.dataset.NodeDependency;
import dev.sluice.core.failure.UserCodeException;
import dev.sluice.core.shuffle.FetchFailedException;
import dev.sluice.core.shuffle.MapOutput;
import dev.sluice.core.shuffle.ShuffleDependency;
import dev.sluice.core.shuffle.ShuffleRegistry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a job: cuts it into stages at shuffle boundaries, runs each stage's missing tasks on the
 * worker pool, parents before children, and returns the result tasks' values in partition order.
 *
 * <h2>Design notes</h2>
 *
 * <p><b>Physical plan.</b> A job run is a {@link ResultStage} over the final node and one {@link
 * ShuffleMapStage} per shuffle it needs; each stage's work is a set of {@link Task}s (stage,
 * node, partition, attempt) handed to the {@link ExecutorBackend}. A task returns a value: the
 * result, or a map output, which this scheduler (not the task) puts into its shuffle when the
 * task succeeds, so a backend that runs tasks elsewhere needs no access to the shuffle.
 *
 * <p><b>Stages.</b> A job's stages are found by walking narrow dependencies from the final
 * dataset; each shuffle dependency met is a map stage. The walk stops at datasets whose every
 * partition is cached (their parents are not needed) and at checkpointed datasets (their lineage
 * is the checkpoint). A map stage runs only the map tasks whose outputs the shuffle dependency
 * lacks, so a shuffle computed by an earlier job is reused, and a lost output is recomputed
 * alone.
 *
 * <p><b>Threading.</b> The caller's thread plans the job and blocks on its result. Stages are a
 * graph of {@link CompletableFuture}s: a stage starts when all its parent stages are done, so
 * independent parents run concurrently. Tasks run on the backend's workers (for the local
 * backend, a fixed pool of {@code parallelism} daemon threads that lives as long as the engine).
 * Several jobs may run at once (from different caller threads); they share the pool. An action
 * called from inside a task may deadlock the pool; the engine does not support nested jobs.
 *
 * <p><b>Failure and retry.</b> A task that throws is retried up to {@code maxAttempts} times in
 * all; then the job fails with a {@link JobFailedException} naming the dataset and partition with
 * the user's exception as cause, other tasks of the job that have not started are skipped (the
 * backend sees {@link Task#isCancelled()}), and the engine stays usable. A task that finds a map
 * output missing ({@link FetchFailedException}) is not a failure: the job is planned again, which
 * recomputes exactly the missing outputs, at most {@value #MAX_RESUBMITS} times.
 *
 * <p><b>Accumulators.</b> A task attempt adds into attempt-local copies ({@link Task#run} returns
 * them with its value); this scheduler merges them into the accumulators only when the attempt
 * succeeds, so a failed attempt's updates never count, in any stage. A result partition's updates
 * count once per job, even when a lost map output makes the job run again; a map partition's
 * updates count once per shuffle, even when its output is lost and recomputed (by this job or a
 * later one). Work that is not a retry is new work: two jobs over one uncached lineage compute it,
 * and count it, twice (cache it to count once), as in Spark.
 *
 * <p><b>Observing stages.</b> {@link StageListener}s added with {@link #addStageListener} hear
 * when each stage starts and ends, with its tasks, attempts, failures, duration and shuffle
 * records; a job carries the tag its calling thread set with {@link #setJobTag} (the stream
 * engine tags a batch's jobs with the batch), so a listener can tell whose stage it is. Without
 * a listener nothing is counted; with one, a stage's figures are summed once per task attempt,
 * and its end is reported before the stages that read it start and before the job returns.
 *
 * <p><b>Why not one thread per stage or a blocking stage loop:</b> futures let a two-stage job
 * run with no thread hand-offs beyond the tasks themselves, which keeps the per-batch floor of
 * the stream engine in microseconds.
 */
public final class DagScheduler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DagScheduler.class);
    static final int MAX_RESUBMITS = 4;

    private final ExecutorBackend backend;
    private final ShuffleRegistry shuffles;
    private final int maxAttempts;
    private final AtomicInteger stageIds = new AtomicInteger();
    private final AtomicInteger jobIds = new AtomicInteger();
    private final List<StageListener> listeners = new CopyOnWriteArrayList<>();
    /** What the calling thread's next jobs are tagged with (see {@link #setJobTag}). */
    private static final ThreadLocal<Object> JOB_TAG = new ThreadLocal<>();

    /** Creates the scheduler of tasks on {@code backend}, registering shuffles in {@code shuffles}. */
    DagScheduler(ExecutorBackend backend, ShuffleRegistry shuffles, int maxAttempts) {
        this.backend = backend;
        this.shuffles = shuffles;
        this.maxAttempts = maxAttempts;
    }

    /** Adds a listener of every later stage's start and end. */
    public void addStageListener(StageListener listener) {
        listeners.add(listener);
    }

    /** Removes a listener added with {@link #addStageListener}. */
    public void removeStageListener(StageListener listener) {
        listeners.remove(listener);
    }

    /**
     * Tags the jobs the calling thread runs from now on with {@code tag} (null: untagged) and
     * returns the previous tag; the tag is passed to the {@link StageListener}s with each stage.
     */
    public static Object setJobTag(Object tag) {
        Object previous = JOB_TAG.get();
        if (tag == null) {
            JOB_TAG.remove();
        } else {
            JOB_TAG.set(tag);
        }
        return previous;
    }

    /**
     * Runs {@code function} over {@code partitions} of {@code node} and returns the results in
     * the order of {@code partitions}.
     *
     * @throws JobFailedException if a task fails on every attempt
     */
    public <T, U> List<U> runJob(DatasetNode<T> node, List<Integer> partitions, TaskFunction<T, U> function) {
        int jobId = jobIds.getAndIncrement();
        Set<Integer> countedResults = ConcurrentHashMap.newKeySet();
        for (int round = 0; ; round++) {
            try {
                return runOnce(jobId, countedResults, node, partitions, function);
            } catch (FetchFailedException e) {
                if (round >= MAX_RESUBMITS) {
                    throw new SluiceException("job " + jobId + " on dataset " + node + " kept losing shuffle output "
                            + e.shuffleId() + " after " + MAX_RESUBMITS + " resubmissions", e);
                }
                log.debug("job {}: {}; planning again to recompute it", jobId, e.getMessage());
            }
        }
    }

    private <T, U> List<U> runOnce(int jobId, Set<Integer> countedResults, DatasetNode<T> node,
                                   List<Integer> partitions, TaskFunction<T, U> function) {
        JobRun job = new JobRun(jobId, countedResults, JOB_TAG.get());
        StageStats stats = listeners.isEmpty() ? null : new StageStats();
        CompletableFuture<Void> parents = parentStagesDone(node, job, stats);
        ResultStage<T, U> stage = new ResultStage<>(stageIds.getAndIncrement(), node, partitions, function, job);
        stage.stats = stats;
        @SuppressWarnings("unchecked")
        CompletableFuture<U>[] results = new CompletableFuture[partitions.size()];
        CompletableFuture<Void> done = observed(stage, parents.thenCompose(v -> {
            started(stage);
            for (int i = 0; i < results.length; i++) {
                @SuppressWarnings("unchecked")
                CompletableFuture<U> result = (CompletableFuture<U>) (CompletableFuture<?>) attempt(stage,
                        partitions.get(i), 0);
                results[i] = result;
            }
            return CompletableFuture.allOf(results);
        }));
        await(done, job);
        List<U> out = new ArrayList<>(results.length);
        for (CompletableFuture<U> r : results) {
            out.add(r.join());
        }
        log.trace("job {} on dataset {} finished", jobId, node);
        return out;
    }

    /**
     * Returns a future that completes when every shuffle {@code node} reads is available; adds the
     * ids of the map stages that make them to {@code stats}, if given.
     */
    private CompletableFuture<Void> parentStagesDone(DatasetNode<?> node, JobRun job, StageStats stats) {
        List<ShuffleDependency<?, ?, ?>> parentShuffles = parentShuffles(node);
        if (parentShuffles.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        List<CompletableFuture<Void>> futures = new ArrayList<>(parentShuffles.size());
        for (ShuffleDependency<?, ?, ?> dep : parentShuffles) {
            // Not computeIfAbsent: planning a map stage plans its parent stages, which adds to the map.
            CompletableFuture<Void> stage = job.stages.get(dep.shuffleId());
            if (stage == null) {
                stage = mapStage(dep, job);
                job.stages.put(dep.shuffleId(), stage);
            }
            Integer stageId = job.stageIds.get(dep.shuffleId());
            if (stats != null && stageId != null) {
                stats.parentStageIds.add(stageId);
            }
            futures.add(stage);
        }
        return CompletableFuture.allOf(futures.toArray(new CompletableFuture[0]));
    }

    private CompletableFuture<Void> mapStage(ShuffleDependency<?, ?, ?> dep, JobRun job) {
        shuffles.register(dep);
        List<Integer> missing = dep.missingOutputs();
        if (missing.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        ShuffleMapStage stage = new ShuffleMapStage(stageIds.getAndIncrement(), dep, missing, job);
        job.stageIds.put(dep.shuffleId(), stage.id());
        stage.stats = listeners.isEmpty() ? null : new StageStats();
        return observed(stage, parentStagesDone(stage.node(), job, stage.stats).thenCompose(v -> {
            started(stage);
            CompletableFuture<?>[] tasks = new CompletableFuture[missing.size()];
            for (int i = 0; i < tasks.length; i++) {
                tasks[i] = attempt(stage, missing.get(i), 0);
            }
            return CompletableFuture.allOf(tasks);
        }));
    }

    private void started(Stage stage) {
        StageStats stats = stage.stats;
        if (stats != null) {
            stats.startNanos = System.nanoTime();
            for (StageListener l : listeners) {
                try {
                    l.onStageStarted(stage.job().id, stage.job().tag, stage.id());
                } catch (RuntimeException e) {
                    log.warn("stage listener {} threw; ignoring it for this event", l, e);
                }
            }
        }
    }

    /** Returns {@code done}, or with a listener a future that completes after the stage's end was reported. */
    private CompletableFuture<Void> observed(Stage stage, CompletableFuture<Void> done) {
        StageStats stats = stage.stats;
        if (stats == null) {
            return done;
        }
        return done.whenComplete((v, error) -> {
            if (stats.startNanos == 0) {
                return; // never started: a parent stage failed
            }
            StageRun run = stats.report(stage, error == null);
            for (StageListener l : listeners) {
                try {
                    l.onStageCompleted(run);
                } catch (RuntimeException e) {
                    log.warn("stage listener {} threw; ignoring it for this event", l, e);
                }
            }
        });
    }

    /** Returns the shuffle dependencies reachable from {@code node} through narrow ones. */
    static List<ShuffleDependency<?, ?, ?>> parentShuffles(DatasetNode<?> node) {
        List<ShuffleDependency<?, ?, ?>> out = new ArrayList<>();
        Set<Integer> visited = new HashSet<>();
        Deque<DatasetNode<?>> toVisit = new ArrayDeque<>();
        toVisit.push(node);
        while (!toVisit.isEmpty()) {
            DatasetNode<?> current = toVisit.pop();
            if (!visited.add(current.id()) || current.isFullyCached()) {
                continue;
            }
            for (NodeDependency dep : current.dependencies()) {
                if (dep instanceof ShuffleDependency<?, ?, ?> shuffle) {
                    out.add(shuffle);
                } else {
                    toVisit.push(dep.parent());
                }
            }
        }
        return out;
    }

    /**
     * Submits attempt {@code attemptNumber} of {@code stage}'s task for {@code partition}; on
     * success registers a map output, on failure retries or fails the job.
     */
    private CompletableFuture<Object> attempt(Stage stage, int partition, int attemptNumber) {
        Task task = new Task(stage, stage.node(), partition, attemptNumber);
        JobRun job = stage.job();
        StageStats stats = stage.stats;
        if (stats != null) {
            stats.attempts.incrementAndGet();
        }
        return backend.submit(task).handle((result, error) -> {
            if (error == null) {
                TaskResult done = (TaskResult) result;
                countUpdates(stage, partition, done);
                if (stage instanceof ShuffleMapStage map) {
                    MapOutput output = (MapOutput) done.value();
                    map.register(partition, output);
                    if (stats != null) {
                        stats.shuffleRecords.addAndGet(output.records());
                    }
                }
                return CompletableFuture.completedFuture(done.value());
            }
            Throwable cause = UserCodeException.unwrap(error);
            if (cause instanceof FetchFailedException || cause instanceof TaskCancelledException
                    || cause instanceof JobFailedException) {
                return CompletableFuture.failedFuture(cause);
            }
            if (stats != null) {
                stats.failedAttempts.incrementAndGet();
            }
            if (attemptNumber + 1 < maxAttempts && !job.isFailed()) {
                log.debug("{} failed, retrying: {}", task, cause);
                return attempt(stage, partition, attemptNumber + 1);
            }
            DatasetNode<?> node = stage.node();
            JobFailedException failed = new JobFailedException(node.name(), node.id(), partition,
                    attemptNumber + 1, cause, UserCodeException.recordOf(error));
            job.failure.compareAndSet(null, failed);
            return CompletableFuture.failedFuture(failed);
        }).thenCompose(f -> f);
    }

    /**
     * Merges a succeeded attempt's accumulator updates, at most once per result partition of a
     * job (across its resubmissions) and once per map partition of a shuffle (across recomputes).
     */
    private static void countUpdates(Stage stage, int partition, TaskResult done) {
        if (done.updates().isEmpty()) {
            return;
        }
        boolean first = stage instanceof ShuffleMapStage map
                ? map.shuffle().claimAccumulatorUpdates(partition)
                : stage.job().countedResults.add(partition);
        if (first) {
            done.updates().mergeIntoAccumulators();
        }
    }

    private static void await(CompletableFuture<Void> done, JobRun job) {
        try {
            done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            job.failure.compareAndSet(null, new JobFailedException("interrupted job", -1, -1, 0, e));
            throw new SluiceException("interrupted while waiting for job " + job.id, e);
        } catch (ExecutionException e) {
            Throwable cause = UserCodeException.unwrap(e.getCause());
            JobFailedException failure = job.failure.get();
            if (failure != null) {
                throw failure;
            }
            if (cause instanceof FetchFailedException fetch) {
                throw fetch;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new SluiceException("job " + job.id + " failed: " + cause, cause);
        }
    }

    /** Stops the backend. */
    @Override
    public void close() {
        backend.close();
    }
}
