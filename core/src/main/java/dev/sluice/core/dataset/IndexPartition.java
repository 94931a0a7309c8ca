package dev.sluice.core.dataset;

import dev.sluice.core.Partition;
import java.util.ArrayList;
import java.util.List;

/** A partition that is nothing but its index. */
public record IndexPartition(int index) implements Partition {

    /** Returns partitions {@code 0 .. n-1}. */
    public static List<Partition> range(int n) {
        List<Partition> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(new IndexPartition(i));
        }
        return out;
    }
}
