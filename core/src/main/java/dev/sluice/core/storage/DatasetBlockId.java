package dev.sluice.core.storage;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * The block of one cached partition of a dataset.
 *
 * @param datasetId the dataset's id
 * @param partition the partition's index
 */
public record DatasetBlockId(int datasetId, int partition) implements BlockId {

    public DatasetBlockId {
        checkArgument(datasetId >= 0, "datasetId must be >= 0, got %s", datasetId);
        checkArgument(partition >= 0, "partition must be >= 0, got %s", partition);
    }

    @Override
    public String name() {
        return "ds_" + datasetId + "_" + partition;
    }
}
