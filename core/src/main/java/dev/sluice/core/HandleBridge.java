package dev.sluice.core;

import dev.sluice.core.dataset.DatasetNode;
import dev.sluice.core.scheduler.EngineRuntime;
import dev.sluice.core.spi.HandleAccess;

/**
 * The one implementation of the SPI's {@link HandleAccess}: lets {@code dev.sluice.core.spi} see
 * the package-private side of {@link Engine} and {@link Dataset}. Instantiated once, by the SPI.
 */
final class HandleBridge implements HandleAccess {

    private HandleBridge() {
    }

    @Override
    public EngineRuntime runtime(Engine engine) {
        return engine.runtime();
    }

    @Override
    public <T> DatasetNode<T> node(Dataset<T> dataset) {
        return dataset.node;
    }

    @Override
    public <T> Dataset<T> handle(Engine engine, DatasetNode<T> node) {
        return engine.wrap(node);
    }
}
