package dev.sluice.streaming.dstream;

import dev.sluice.streaming.Time;
import java.util.List;

/** The text a stream's {@code print(n)} writes for one batch. */
public final class Printout {
    private static final String DASHES = "-------------------------------------------";

    private Printout() {
    }

    /**
     * Returns the printout of a batch whose first elements are {@code first} (up to {@code n + 1}
     * of them, so that "..." shows there were more): dashes, {@code Time: <ms> ms}, dashes, the
     * elements one per line, {@code ...} if there were more than {@code n}, and an empty line.
     */
    public static String of(List<?> first, int n, Time time) {
        StringBuilder out = new StringBuilder();
        out.append(DASHES).append('\n').append("Time: ").append(time.millis()).append(" ms\n")
                .append(DASHES).append('\n');
        for (int i = 0; i < Math.min(n, first.size()); i++) {
            out.append(first.get(i)).append('\n');
        }
        if (first.size() > n) {
            out.append("...\n");
        }
        out.append('\n');
        return out.toString();
    }
}
