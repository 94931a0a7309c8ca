package dev.sluice.examples.bench;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.openjdk.jol.info.GraphLayout;
import org.openjdk.jol.vm.VM;

/**
 * Heap sizes of objects under the running JVM, by JOL ({@code org.openjdk.jol:jol-core}): the
 * layout of every object reachable from the given roots, each counted once however often it is
 * referenced, as the JVM lays it out (header, fields, padding; array headers and elements).
 * Unlike a heap-used difference around an allocation, this is exact and not disturbed by other
 * threads, TLABs or the collector.
 *
 * <p>Thread-safety: stateless; the objects must not change while they are walked.
 */
final class ObjectSizes {
    static {
        // Field offsets from Unsafe suffice for sizes: JOL need not attach an agent to this JVM.
        // It prints its warnings about that to standard output, where the JSON lines go, so they
        // are swallowed while it starts (before any benchmark output).
        System.setProperty("jol.skipDynamicAttach", "true");
        System.setProperty("jol.skipHotspotSAAttach", "true");
        PrintStream out = System.out;
        try {
            System.setOut(new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8));
            VM.current();
        } finally {
            System.setOut(out);
        }
    }

    private ObjectSizes() {
    }

    /**
     * Bytes of everything reachable from {@code roots} (not the collection holding them): each
     * distinct object once.
     */
    static long deepSize(Collection<?> roots) {
        if (roots.isEmpty()) {
            return 0;
        }
        return GraphLayout.parseInstance(roots.toArray()).totalSize();
    }

    /**
     * Average bytes per entry of the key and value objects of {@code keys} and {@code values}
     * (same length): everything reachable from them, shared objects (a cached {@code Long}, a
     * string's shared array) counted once.
     *
     * @throws IllegalArgumentException if the lists are empty or differ in length
     */
    static double perEntry(List<?> keys, List<?> values) {
        checkArgument(!keys.isEmpty() && keys.size() == values.size(),
                "need as many values as keys, and at least one: %s keys, %s values", keys.size(), values.size());
        List<Object> roots = new ArrayList<>(keys.size() * 2);
        roots.addAll(keys);
        roots.addAll(values);
        return deepSize(roots) / (double) keys.size();
    }
}
