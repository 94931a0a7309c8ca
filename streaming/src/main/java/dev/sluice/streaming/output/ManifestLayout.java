package dev.sluice.streaming.output;

import org.apache.hadoop.conf.Configuration;

/**
 * Where a manifest output puts its data files and its manifest: names relative to the base
 * directory, unique per task attempt, and a glob matching every file any attempt of a batch
 * writes (what a replay deletes before it writes the batch again).
 */
public interface ManifestLayout {

    /** Returns the manifest this layout's output commits through. */
    ManifestLog manifest(Configuration conf);

    /** Returns the name, relative to the base directory, of one attempt's file of {@code partition}. */
    String dataFile(long batchId, int partition, String unique);

    /** Returns a glob, relative to the base directory, of every data file of batch {@code batchId}. */
    String batchFiles(long batchId);

    /** One directory: data files {@code part-<batch %020d>-<partition %05d>-<unique>}, manifest {@code _manifest/}. */
    static ManifestLayout flat(String directory) {
        return new ManifestLayout() {
            @Override
            public ManifestLog manifest(Configuration conf) {
                return ManifestLog.of(directory, conf);
            }

            @Override
            public String dataFile(long batchId, int partition, String unique) {
                return String.format("part-%020d-%05d-", batchId, partition) + unique;
            }

            @Override
            public String batchFiles(long batchId) {
                return String.format("part-%020d-*", batchId);
            }
        };
    }
}
