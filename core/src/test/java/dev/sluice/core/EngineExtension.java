package dev.sluice.core;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One engine shared by all tests of a class, closed after the last one:
 * {@code @RegisterExtension static final EngineExtension ENGINE = new EngineExtension();}.
 * Datasets are immutable, so tests that only build and run datasets can share it.
 */
final class EngineExtension implements BeforeAllCallback, AfterAllCallback {
    private Engine engine;

    @Override
    public void beforeAll(ExtensionContext context) {
        engine = Engine.builder().appName(context.getDisplayName()).parallelism(4).build();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        engine.close();
    }

    Engine engine() {
        return engine;
    }
}
