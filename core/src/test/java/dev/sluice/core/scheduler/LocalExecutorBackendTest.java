package dev.sluice.core.scheduler;

/** The local thread pool passes the executor backend contract. */
class LocalExecutorBackendTest extends ExecutorBackendContract {

    @Override
    ExecutorBackend newBackend(int parallelism) {
        return new LocalExecutorBackend(parallelism);
    }
}
