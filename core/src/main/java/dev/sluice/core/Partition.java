package dev.sluice.core;

import java.io.Serializable;

/** One slice of a {@link Dataset}: the unit of parallelism, computed by one task. */
public interface Partition extends Serializable {

    /** Returns this partition's position within its dataset, from 0. */
    int index();
}
