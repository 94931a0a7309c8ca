package dev.sluice.streaming.dstream;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.sluice.streaming.output.ManifestLayout;
import dev.sluice.streaming.output.ManifestLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * The layout of a stream's {@code saveAsTextFiles(prefix, suffix)}: batch {@code t}'s files are
 * {@code prefix-<t>.suffix/part-<partition %05d>-<unique>} (one directory per batch, as Spark
 * lays it out; no dot if the suffix is empty), and the batches are committed through one manifest
 * next to them, {@code _manifest-<last part of prefix>[.suffix]/} in the prefix's parent
 * directory. The manifest is the commit: a batch directory is never renamed, and a directory or
 * file of the same name left by an unrelated run neither makes a batch skip nor is read through
 * the manifest (its files are not named by any entry). Readers of the parent directory skip the
 * manifest ({@code _} names); readers through the manifest see each batch exactly once.
 */
public final class TextFilesOutput implements ManifestLayout {
    private final String prefix;
    private final String suffix;

    private TextFilesOutput(String prefix, String suffix) {
        this.prefix = checkNotNull(prefix, "prefix");
        this.suffix = checkNotNull(suffix, "suffix");
    }

    /** Returns the layout of {@code saveAsTextFiles(prefix, suffix)}. */
    public static TextFilesOutput of(String prefix, String suffix) {
        return new TextFilesOutput(prefix, suffix);
    }

    /** Returns the directory of batch {@code millis}: {@code prefix-<ms>.suffix}, no dot if {@code suffix} is empty. */
    public String directory(long millis) {
        return prefix + "-" + millis + dotSuffix();
    }

    @Override
    public ManifestLog manifest(Configuration conf) {
        Path probe = new Path(directory(0));
        try {
            Path qualified = probe.getFileSystem(conf).makeQualified(probe);
            String name = qualified.getName();
            String stem = name.substring(0, name.length() - directory(0).length() + prefix.length());
            return ManifestLog.of(qualified.getParent(), "_manifest-" + stem + dotSuffix(), conf);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach the file system of " + probe, e);
        }
    }

    private String dotSuffix() {
        return suffix.isEmpty() ? "" : "." + suffix;
    }

    @Override
    public String dataFile(long batchId, int partition, String unique) {
        return batchDirName(batchId) + "/" + String.format("part-%05d-", partition) + unique;
    }

    @Override
    public String batchFiles(long batchId) {
        return batchDirName(batchId) + "/part-?????-*";
    }

    private String batchDirName(long batchId) {
        return new Path(directory(batchId)).getName();
    }

    @Override
    public String toString() {
        return prefix + "-<time>" + dotSuffix();
    }
}
