package dev.sluice.core.scheduler;

import java.util.concurrent.CompletableFuture;

/**
 * Runs tasks: the seam between the scheduler, which plans stages, retries and registers map
 * outputs, and the threads or machines that compute. The local thread pool
 * ({@link LocalExecutorBackend}) is one implementation; a cluster backend is another.
 *
 * <p>The contract (checked by {@code ExecutorBackendContract} in the tests):
 * <ul>
 *   <li>{@link #submit} never blocks the caller on the task; the future completes with the value
 *       of {@link Task#run}, or exceptionally with what it threw (a checked exception wrapped in
 *       {@code UserCodeException}, unchecked ones as they are).</li>
 *   <li>A task whose {@link Task#isCancelled()} is true when a worker takes it up is not run: its
 *       future fails with {@link TaskCancelledException}.</li>
 *   <li>A backend does not retry and does not touch shuffle outputs or the block store except
 *       through the task itself; retries and map-output registration are the scheduler's.</li>
 *   <li>Dependent work the scheduler chains on a returned future may run on the backend's
 *       threads; it is short and never blocks.</li>
 * </ul>
 */
public interface ExecutorBackend extends AutoCloseable {

    /** Starts {@code task} and returns its future value. */
    CompletableFuture<Object> submit(Task task);

    /** Returns how many tasks this backend runs at once. */
    int parallelism();

    /** Stops the workers; tasks submitted later fail. */
    @Override
    void close();
}
