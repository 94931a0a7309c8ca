package dev.sluice.core.scheduler;

import dev.sluice.core.failure.UserCodeException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor backend of one JVM: a fixed pool of {@code parallelism} daemon worker threads that
 * lives as long as the engine. A task runs on the worker that takes it from the queue; nothing is
 * serialized.
 *
 * <p>Threading: {@link #submit} may be called from any thread, including workers (the scheduler
 * submits a retry or a child stage's tasks from the completion of a task).
 */
public final class LocalExecutorBackend implements ExecutorBackend {
    private static final Logger log = LoggerFactory.getLogger(LocalExecutorBackend.class);

    private final int parallelism;
    private final ExecutorService workers;

    /** Starts {@code parallelism} worker threads. */
    public LocalExecutorBackend(int parallelism) {
        this.parallelism = parallelism;
        this.workers = Executors.newFixedThreadPool(parallelism, new WorkerThreads());
    }

    @Override
    public CompletableFuture<Object> submit(Task task) {
        return CompletableFuture.supplyAsync(() -> {
            if (task.isCancelled()) {
                throw new TaskCancelledException(task);
            }
            log.trace("{} starting", task);
            try {
                return task.run(task.context());
            } catch (Exception e) {
                throw UserCodeException.wrap(e);
            }
        }, workers);
    }

    @Override
    public int parallelism() {
        return parallelism;
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
