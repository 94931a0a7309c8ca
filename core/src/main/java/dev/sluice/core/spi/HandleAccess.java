package dev.sluice.core.spi;

import dev.sluice.core.Dataset;
import dev.sluice.core.Engine;
import dev.sluice.core.dataset.DatasetNode;
import dev.sluice.core.scheduler.EngineRuntime;

/**
 * How this package reaches what the API handles stand for: an engine's runtime, a dataset's node,
 * and a new handle on a node. Implemented once, by a package-private class of
 * {@code dev.sluice.core}, which this package loads by name (see {@link Handles}); there is no way
 * to install another implementation.
 */
public interface HandleAccess {

    /** Returns the runtime {@code engine} created and owns. */
    EngineRuntime runtime(Engine engine);

    /** Returns the node {@code dataset} is a handle of. */
    <T> DatasetNode<T> node(Dataset<T> dataset);

    /** Returns a new handle on {@code node}, a node of {@code engine}. */
    <T> Dataset<T> handle(Engine engine, DatasetNode<T> node);
}
