package dev.sluice.examples.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

/**
 * Bytes allocated on the heap by all live threads of this JVM, from
 * {@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes} (TLAB and outside-TLAB
 * allocations of every thread; not affected by machine noise). A benchmark takes the difference
 * around its measured batches only; the engine's threads (workers, generator, job thread,
 * listener bus) live for the whole run, so none of their allocation is lost to a thread ending.
 */
final class Allocation {
    private static final com.sun.management.ThreadMXBean THREADS = threadBean();

    private Allocation() {
    }

    private static com.sun.management.ThreadMXBean threadBean() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean bean
                && bean.isThreadAllocatedMemorySupported()) {
            bean.setThreadAllocatedMemoryEnabled(true);
            return bean;
        }
        return null;
    }

    /** Returns true if this JVM reports allocated bytes per thread. */
    static boolean supported() {
        return THREADS != null;
    }

    /** The sum over all live threads of the bytes each has allocated so far; -1 if not supported. */
    static long allThreads() {
        if (THREADS == null) {
            return -1;
        }
        long sum = 0;
        for (long bytes : THREADS.getThreadAllocatedBytes(THREADS.getAllThreadIds())) {
            if (bytes > 0) {
                sum += bytes;
            }
        }
        return sum;
    }

    /**
     * The CPU time this JVM process has used so far (all threads, GC threads included), in
     * nanoseconds, from {@code com.sun.management.OperatingSystemMXBean#getProcessCpuTime}; -1 if
     * not supported.
     */
    static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }

    /**
     * The collections so far and their accumulated time in milliseconds, summed over the JVM's
     * collectors ({@code GarbageCollectorMXBean}s: for G1 its young and mixed pauses and any full
     * collection, for ParallelGC its young and full collections; G1's concurrent marking, which
     * runs beside the application, is not in them). -1 for a collector that does not report.
     */
    static long[] collections() {
        long count = 0;
        long millis = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, gc.getCollectionCount());
            millis += Math.max(0, gc.getCollectionTime());
        }
        return new long[] {count, millis};
    }

    /**
     * Sums allocation, process CPU time and collections over several measured stretches. Process CPU time
     * counts what the collector's threads did for the stretch, and on a loaded machine it moves
     * much less than wall time, since waiting for a core is not counted.
     */
    static final class Meter {
        private long total;
        private long startedAt = -1;
        private long cpuTotal;
        private long cpuStartedAt = -1;
        private long gcCount;
        private long gcMillis;
        private long[] gcStartedAt;

        void start() {
            startedAt = allThreads();
            cpuStartedAt = processCpuNanos();
            gcStartedAt = collections();
        }

        void stop() {
            if (startedAt >= 0) {
                total += allThreads() - startedAt;
            }
            startedAt = -1;
            if (cpuStartedAt >= 0) {
                cpuTotal += processCpuNanos() - cpuStartedAt;
            }
            cpuStartedAt = -1;
            if (gcStartedAt != null) {
                long[] now = collections();
                gcCount += now[0] - gcStartedAt[0];
                gcMillis += now[1] - gcStartedAt[1];
            }
            gcStartedAt = null;
        }

        /** Collections (stop-the-world pauses) per batch over the stretches measured. */
        double gcPausesPerBatch(long batches) {
            return batches > 0 ? BenchReport.round3(gcCount / (double) batches) : -1;
        }

        /** Milliseconds of collection pauses per batch over the stretches measured. */
        double gcPauseMsPerBatch(long batches) {
            return batches > 0 ? BenchReport.round3(gcMillis / (double) batches) : -1;
        }

        /** Process CPU milliseconds per batch over the stretches measured, or -1 if not supported. */
        double cpuMsPerBatch(long batches) {
            return processCpuNanos() >= 0 && batches > 0 ? BenchReport.round3(cpuTotal / 1e6 / batches) : -1;
        }

        /** Bytes per line over the stretches measured, or -1 if not supported. */
        double perLine(long lines) {
            return supported() && lines > 0 ? BenchReport.round3(total / (double) lines) : -1;
        }
    }
}
