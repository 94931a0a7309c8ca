package dev.sluice.core.shuffle;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;

/**
 * How long a reference array may be before the collector in use treats it as humongous, as a
 * power of two: under G1 (and Shenandoah, which has humongous regions too) an array of at least
 * half a heap region is allocated straight in the old generation; ParallelGC and SerialGC have
 * no such threshold, so there a table is one flat array at any size and pays no chunk
 * indirection. Read once from the running JVM's flags.
 */
final class ChunkSize {
    /** Chunk length in bits when the flags cannot be read: 64K references, below half of G1's smallest (1 MB) region. */
    static final int SAFE_BITS = 16;
    /** Effectively unchunked: every table the maps allocate is shorter. */
    static final int FLAT_BITS = 30;

    private ChunkSize() {
    }

    /** Returns log2 of the longest reference (or int) array that is no humongous object in this JVM. */
    static int bits() {
        try {
            HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            if (flag(hotspot, "UseParallelGC") || flag(hotspot, "UseSerialGC")) {
                return FLAT_BITS;
            }
            if (!flag(hotspot, "UseG1GC")) {
                return SAFE_BITS;
            }
            long region = Long.parseLong(hotspot.getVMOption("G1HeapRegionSize").getValue());
            return bitsBelow(region / 2, flag(hotspot, "UseCompressedOops") ? 4 : 8);
        } catch (RuntimeException e) {
            return SAFE_BITS;
        }
    }

    /** Returns the largest bits b with {@code 2^b} elements of {@code elementBytes} plus a 16-byte header below {@code limit}. */
    static int bitsBelow(long limit, int elementBytes) {
        int b = SAFE_BITS;
        while (b < FLAT_BITS && (1L << (b + 1)) * elementBytes + 16 < limit) {
            b++;
        }
        return b;
    }

    private static boolean flag(HotSpotDiagnosticMXBean hotspot, String name) {
        return Boolean.parseBoolean(hotspot.getVMOption(name).getValue());
    }
}
