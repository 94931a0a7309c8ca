package dev.sluice.streaming.input;

import dev.sluice.core.function.FlatMapFunction;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.Serializable;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The task side of a file stream: reads one listed file in its format. A file that is gone when
 * its task opens it (deleted or moved away after the listing) gives no records and is reported
 * by name, so the batch still reads its other files.
 */
public final class FileReadFunction<T> implements FlatMapFunction<ListedFile, T> {
    private static final long serialVersionUID = 1L;

    /** Told of each listed file that was gone when read. */
    @FunctionalInterface
    public interface VanishedFiles extends Serializable {
        /** Reports that {@code file} was gone; {@code cause} is the file system's error. */
        void vanished(ListedFile file, IOException cause);
    }

    private final HadoopConfiguration conf;
    private final FileFormat<T> format;
    private final VanishedFiles vanished;

    /** Creates the function reading files in {@code format}. */
    public FileReadFunction(Configuration conf, FileFormat<T> format, VanishedFiles vanished) {
        this.conf = new HadoopConfiguration(conf);
        this.format = format;
        this.vanished = vanished;
    }

    @Override
    public Iterable<T> call(ListedFile file) throws IOException {
        Path path = new Path(file.path());
        FileSystem fs = path.getFileSystem(conf.get());
        try {
            return format.read(fs, file);
        } catch (FileNotFoundException e) {
            vanished.vanished(file, e);
            return List.of();
        }
    }
}
