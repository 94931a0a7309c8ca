package dev.sluice.core.scheduler;

import dev.sluice.core.Dataset;
import dev.sluice.core.Dependency;
import dev.sluice.core.Engine;
import dev.sluice.core.JobFailedException;
import dev.sluice.core.Pair;
import dev.sluice.core.Partition;
import dev.sluice.core.SluiceException;
import dev.sluice.core.dataset.UserCodeException;
import dev.sluice.core.shuffle.FetchFailedException;
import dev.sluice.core.shuffle.MapOutput;
import dev.sluice.core.shuffle.ShuffleDependency;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a job: cuts it into stages at shuffle boundaries, runs each stage's missing tasks on the
 * worker pool, parents before children, and returns the result tasks' values in partition order.
 *
 * <h2>Design notes</h2>
 *
 * <p><b>Stages.</b> A job's stages are found by walking narrow dependencies from the final
 * dataset; each shuffle dependency met is a map stage. The walk stops at datasets whose every
 * partition is cached (their parents are not needed) and at checkpointed datasets (their lineage
 * is the checkpoint). A map stage runs only the map tasks whose outputs the shuffle manager lacks,
 * so a shuffle computed by an earlier job is reused, and a lost output is recomputed alone.
 *
 * <p><b>Threading.</b> The caller's thread plans the job and blocks on its result. Stages are a
 * graph of {@link CompletableFuture}s: a stage starts when all its parent stages are done, so
 * independent parents run concurrently. Tasks run on a fixed pool of {@code parallelism} daemon
 * threads that lives as long as the engine. Several jobs may run at once (from different caller
 * threads); they share the pool. An action called from inside a task may deadlock the pool; the
 * engine does not support nested jobs.
 *
 * <p><b>Failure and retry.</b> A task that throws is retried up to {@code maxAttempts} times in
 * all; then the job fails with a {@link JobFailedException} naming the dataset and partition with
 * the user's exception as cause, other tasks of the job that have not started are skipped, and the
 * engine stays usable. A task that finds a map output missing ({@link FetchFailedException}) is
 * not a failure: the job is planned again, which recomputes exactly the missing outputs, at most
 * {@value #MAX_RESUBMITS} times.
 *
 * <p><b>Why not one thread per stage or a blocking stage loop:</b> futures let a two-stage job run
 * with no thread hand-offs beyond the tasks themselves, which keeps the per-batch floor of the
 * stream engine in microseconds.
 */
public final class DagScheduler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DagScheduler.class);
    static final int MAX_RESUBMITS = 4;

    private final Engine engine;
    private final int maxAttempts;
    private final ExecutorService workers;
    private final AtomicInteger stageIds = new AtomicInteger();
    private final AtomicInteger jobIds = new AtomicInteger();

    DagScheduler(Engine engine, int parallelism, int maxAttempts) {
        this.engine = engine;
        this.maxAttempts = maxAttempts;
        this.workers = Executors.newFixedThreadPool(parallelism, new WorkerThreads());
    }

    /**
     * Runs {@code function} over {@code partitions} of {@code dataset} and returns the results in
     * the order of {@code partitions}.
     *
     * @throws JobFailedException if a task fails on every attempt
     */
    public <T, U> List<U> runJob(Dataset<T> dataset, List<Integer> partitions, TaskFunction<T, U> function) {
        int jobId = jobIds.getAndIncrement();
        for (int round = 0; ; round++) {
            try {
                return runOnce(jobId, dataset, partitions, function);
            } catch (FetchFailedException e) {
                if (round >= MAX_RESUBMITS) {
                    throw new SluiceException("job " + jobId + " on dataset " + dataset + " kept losing shuffle output "
                            + e.shuffleId() + " after " + MAX_RESUBMITS + " resubmissions", e);
                }
                log.debug("job {}: {}; planning again to recompute it", jobId, e.getMessage());
            }
        }
    }

    private <T, U> List<U> runOnce(int jobId, Dataset<T> dataset, List<Integer> partitions,
                                   TaskFunction<T, U> function) {
        Job job = new Job(jobId);
        CompletableFuture<Void> parents = parentStagesDone(dataset, job);
        int stageId = stageIds.getAndIncrement();
        List<Partition> all = dataset.partitions();
        @SuppressWarnings("unchecked")
        CompletableFuture<U>[] results = new CompletableFuture[partitions.size()];
        CompletableFuture<Void> done = parents.thenCompose(v -> {
            for (int i = 0; i < results.length; i++) {
                Partition partition = all.get(partitions.get(i));
                results[i] = attempt(job, dataset, stageId, partition.index(), 0,
                        ctx -> function.apply(ctx, dataset.iterator(partition, ctx)));
            }
            return CompletableFuture.allOf(results);
        });
        await(done, job);
        List<U> out = new ArrayList<>(results.length);
        for (CompletableFuture<U> r : results) {
            out.add(r.join());
        }
        log.trace("job {} on dataset {} finished", jobId, dataset);
        return out;
    }

    /** Returns a future that completes when every shuffle {@code dataset} reads is available. */
    private CompletableFuture<Void> parentStagesDone(Dataset<?> dataset, Job job) {
        List<ShuffleDependency<?, ?, ?>> shuffles = parentShuffles(dataset);
        if (shuffles.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        List<CompletableFuture<Void>> futures = new ArrayList<>(shuffles.size());
        for (ShuffleDependency<?, ?, ?> dep : shuffles) {
            // Not computeIfAbsent: planning a map stage plans its parent stages, which adds to the map.
            CompletableFuture<Void> stage = job.stages.get(dep.shuffleId());
            if (stage == null) {
                stage = mapStage(dep, job);
                job.stages.put(dep.shuffleId(), stage);
            }
            futures.add(stage);
        }
        return CompletableFuture.allOf(futures.toArray(new CompletableFuture[0]));
    }

    private CompletableFuture<Void> mapStage(ShuffleDependency<?, ?, ?> dep, Job job) {
        List<Integer> missing = dep.missingOutputs();
        if (missing.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        int stageId = stageIds.getAndIncrement();
        @SuppressWarnings("unchecked")
        ShuffleDependency<Object, Object, Object> shuffle = (ShuffleDependency<Object, Object, Object>) dep;
        Dataset<Pair<Object, Object>> parent = shuffle.parent();
        List<Partition> parentPartitions = parent.partitions();
        return parentStagesDone(parent, job).thenCompose(v -> {
            List<CompletableFuture<Boolean>> tasks = new ArrayList<>(missing.size());
            for (int m : missing) {
                Partition partition = parentPartitions.get(m);
                tasks.add(attempt(job, parent, stageId, m, 0, ctx -> {
                    MapOutput output = shuffle.write(parent.iterator(partition, ctx));
                    shuffle.putOutput(m, output);
                    return Boolean.TRUE;
                }));
            }
            return CompletableFuture.allOf(tasks.toArray(new CompletableFuture[0]));
        });
    }

    /** Returns the shuffle dependencies reachable from {@code dataset} through narrow ones. */
    static List<ShuffleDependency<?, ?, ?>> parentShuffles(Dataset<?> dataset) {
        List<ShuffleDependency<?, ?, ?>> out = new ArrayList<>();
        Set<Integer> visited = new HashSet<>();
        Deque<Dataset<?>> toVisit = new ArrayDeque<>();
        toVisit.push(dataset);
        while (!toVisit.isEmpty()) {
            Dataset<?> current = toVisit.pop();
            if (!visited.add(current.id()) || current.isFullyCached()) {
                continue;
            }
            for (Dependency dep : current.dependencies()) {
                if (dep instanceof ShuffleDependency<?, ?, ?> shuffle) {
                    out.add(shuffle);
                } else {
                    toVisit.push(dep.parent());
                }
            }
        }
        return out;
    }

    private interface TaskBody<U> {
        U run(RunningTask context) throws Exception;
    }

    private <U> CompletableFuture<U> attempt(Job job, Dataset<?> dataset, int stageId, int partition, int attemptNumber,
                                             TaskBody<U> body) {
        RunningTask context = new RunningTask(stageId, partition, attemptNumber, engine);
        return CompletableFuture.supplyAsync(() -> {
            if (job.failure.get() != null) {
                throw new SkippedTaskException();
            }
            log.trace("stage {} task {} attempt {} starting", stageId, partition, attemptNumber);
            try {
                return body.run(context);
            } catch (Exception e) {
                throw UserCodeException.wrap(e);
            }
        }, workers).handle((value, error) -> {
            if (error == null) {
                return CompletableFuture.completedFuture(value);
            }
            Throwable cause = UserCodeException.unwrap(error);
            if (cause instanceof FetchFailedException || cause instanceof SkippedTaskException
                    || cause instanceof JobFailedException) {
                return CompletableFuture.<U>failedFuture(cause);
            }
            if (attemptNumber + 1 < maxAttempts && job.failure.get() == null) {
                log.debug("stage {} task {} attempt {} failed, retrying: {}", stageId, partition, attemptNumber, cause);
                return attempt(job, dataset, stageId, partition, attemptNumber + 1, body);
            }
            JobFailedException failed = new JobFailedException(dataset.name(), dataset.id(), partition,
                    attemptNumber + 1, cause);
            job.failure.compareAndSet(null, failed);
            return CompletableFuture.<U>failedFuture(failed);
        }).thenCompose(f -> f);
    }

    private static void await(CompletableFuture<Void> done, Job job) {
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

    @Override
    public void close() {
        workers.shutdownNow();
        try {
            if (!workers.awaitTermination(10, TimeUnit.SECONDS)) {
                log.warn("worker threads did not stop within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One planned run of a job: its map stages, by shuffle id, and its first failure. */
    private static final class Job {
        final int id;
        final Map<Integer, CompletableFuture<Void>> stages = new HashMap<>();
        final AtomicReference<JobFailedException> failure = new AtomicReference<>();

        Job(int id) {
            this.id = id;
        }
    }

    /** Thrown by a task that did not run because its job had already failed. */
    private static final class SkippedTaskException extends RuntimeException {
        SkippedTaskException() {
            super("skipped: job already failed", null, false, false);
        }
    }

    private static final class WorkerThreads implements ThreadFactory {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "sluice-worker-" + count.getAndIncrement());
            t.setDaemon(true);
            return t;
        }
    }
}
