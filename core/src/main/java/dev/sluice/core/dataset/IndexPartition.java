package dev.sluice.core.dataset;

import dev.sluice.core.Partition;

/** A partition that is nothing but its index. */
public record IndexPartition(int index) implements Partition {
}
