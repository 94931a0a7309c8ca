package dev.sluice.core.scheduler;

import dev.sluice.core.TaskContext;
import java.io.Serializable;
import java.util.Iterator;

/** What a result task does with its partition's records: the per-partition half of an action. */
@FunctionalInterface
public interface TaskFunction<T, U> extends Serializable {

    /** Returns this partition's share of the action's result. */
    U apply(TaskContext context, Iterator<T> records) throws Exception;
}
