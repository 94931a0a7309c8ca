package dev.sluice.core.scheduler;

import dev.sluice.core.TaskContext;

/** The context of one attempt of one task. */
record RunningTask(int stageId, int partitionId, int attemptNumber) implements TaskContext {
}
