package dev.sluice.examples.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What every benchmark reports: statistics of measured times, peak RSS, JVM flags, as JSON. */
final class BenchReport {
    private BenchReport() {
    }

    /** Nearest-rank percentile of {@code millis} (the median of an even count is the mean of the middle two). */
    static double percentile(List<Double> millis, double q) {
        double[] sorted = millis.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (q == 0.5 && sorted.length % 2 == 0) {
            return (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /** Returns {median, p99, min, max} of {@code millis}. */
    static Map<String, Object> procMs(List<Double> millis) {
        Map<String, Object> proc = new LinkedHashMap<>();
        proc.put("median", round3(percentile(millis, 0.5)));
        proc.put("p99", round3(percentile(millis, 0.99)));
        proc.put("min", round3(percentile(millis, 0.0)));
        proc.put("max", round3(percentile(millis, 1.0)));
        return proc;
    }

    static double round3(double x) {
        return Math.round(x * 1000) / 1000.0;
    }

    /** Peak resident set size of this process in MiB ({@code VmHWM}), or -1 off Linux. */
    static long peakRssMiB() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith("VmHWM:")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** The JVM's command-line flags. */
    static String jvmFlags() {
        return String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments());
    }

    /** A JSON object writer for numbers, strings, lists and nested maps. */
    static final class Json {
        private final Map<String, Object> fields = new LinkedHashMap<>();
        private final double median;

        Json() {
            this(Double.NaN);
        }

        /** A report whose measured median time is {@code median} ms, for computing ratios. */
        Json(double median) {
            this.median = median;
        }

        double median() {
            return median;
        }

        Json put(String key, Object value) {
            fields.put(key, value);
            return this;
        }

        @Override
        public String toString() {
            return write(fields);
        }

        /** Writes a number, string, list or map (of those) as JSON. */
        static String write(Object v) {
            if (v instanceof Map<?, ?> m) {
                StringBuilder s = new StringBuilder("{");
                m.forEach((k, x) -> s.append(s.length() > 1 ? "," : "").append(quote(k.toString()))
                        .append(':').append(write(x)));
                return s.append('}').toString();
            }
            if (v instanceof List<?> l) {
                StringBuilder s = new StringBuilder("[");
                l.forEach(x -> s.append(s.length() > 1 ? "," : "").append(write(x)));
                return s.append(']').toString();
            }
            if (v instanceof Double d) {
                return String.format(Locale.ROOT, "%.3f", d);
            }
            if (v instanceof Number) {
                return v.toString();
            }
            return quote(String.valueOf(v));
        }

        private static String quote(String s) {
            return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
        }
    }
}
