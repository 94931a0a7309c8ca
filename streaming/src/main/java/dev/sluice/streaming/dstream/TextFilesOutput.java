package dev.sluice.streaming.dstream;

import dev.sluice.core.Dataset;
import dev.sluice.streaming.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What a stream's {@code saveAsTextFiles} does with each batch: one text directory per batch time, written once. */
public final class TextFilesOutput {
    private static final Logger log = LoggerFactory.getLogger(TextFilesOutput.class);

    private TextFilesOutput() {
    }

    /** Returns the directory of batch {@code time}: {@code prefix-<ms>.suffix}, no dot if {@code suffix} is empty. */
    public static String directory(String prefix, String suffix, Time time) {
        return prefix + "-" + time.millis() + (suffix.isEmpty() ? "" : "." + suffix);
    }

    /** Saves {@code ds} as batch {@code time}'s directory, unless a previous run already did. */
    public static void save(Dataset<?> ds, String prefix, String suffix, Time time) {
        String dir = directory(prefix, suffix, time);
        if (dev.sluice.core.spi.EngineServices.of(ds.engine()).exists(dir)) {
            log.debug("batch {}: {} already exists, not writing it again", time.millis(), dir);
            return;
        }
        ds.saveAsTextFile(dir);
    }
}
