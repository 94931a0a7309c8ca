package dev.sluice.core.spi;

import dev.sluice.core.SluiceException;
import java.lang.reflect.Constructor;

/**
 * Holds the one {@link HandleAccess}: the bridge from this package to the package-private side of
 * the API handles. It is created once, when this class is initialized, from the class
 * {@code dev.sluice.core.HandleBridge}; nothing can replace it afterwards (there is no setter).
 *
 * <p>Why not a public accessor on {@code Engine} or {@code Dataset}: API signatures use only API
 * and JDK types, and engine-only methods are not API. Why not a static installer: anyone could
 * replace it. Inside core everything is wired by constructor; only this seam between the API
 * package and its SPI needs a bridge, as the JDK's own packages do.
 */
final class Handles {
    static final HandleAccess ACCESS = load();

    private Handles() {
    }

    private static HandleAccess load() {
        try {
            Constructor<?> constructor = Class.forName("dev.sluice.core.HandleBridge").getDeclaredConstructor();
            constructor.setAccessible(true);
            return (HandleAccess) constructor.newInstance();
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new SluiceException("cannot load the core SPI bridge dev.sluice.core.HandleBridge: " + e, e);
        }
    }
}
