package dev.sluice.streaming.dstream;

import dev.sluice.core.Dataset;
import dev.sluice.core.SluiceException;
import dev.sluice.core.spi.EngineServices;
import dev.sluice.streaming.Time;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * New files in a directory on any Hadoop FileSystem: each batch reads the files that appeared
 * since the previous batch, each file once. Files should be moved into the directory atomically
 * (written elsewhere, then renamed): a file still being written may be read half-done. Names
 * starting with '.' or '_' are ignored. A file deleted and later added again under the same name
 * is read again.
 */
public final class FileInputDStream extends InputDStream<String> {
    private static final Logger log = LoggerFactory.getLogger(FileInputDStream.class);
    private final String directory;
    private final Set<String> seen = ConcurrentHashMap.newKeySet();

    /** Creates the input watching {@code directory}. */
    public FileInputDStream(DStreamGraph graph, String directory) {
        super(graph, OperatorKind.FILE_INPUT);
        this.directory = directory;
        setName("textFileStream " + directory);
    }

    /** Not counted: the records of new files are known only once a job reads them. */
    @Override
    public long recordsAt(Time time) {
        return 0;
    }

    @Override
    protected Optional<Dataset<String>> compute(Time time) {
        Configuration conf = EngineServices.of(engine()).hadoopConf();
        List<String> fresh = new ArrayList<>();
        try {
            Path dir = new Path(directory);
            FileSystem fs = dir.getFileSystem(conf);
            FileStatus[] files;
            try {
                files = fs.listStatus(dir, p -> !p.getName().startsWith(".") && !p.getName().startsWith("_"));
            } catch (FileNotFoundException e) {
                files = new FileStatus[0];
                log.debug("batch {}: directory {} does not exist yet", time.millis(), directory);
            }
            Arrays.sort(files);
            Set<String> present = new java.util.HashSet<>();
            for (FileStatus f : files) {
                String path = f.getPath().toString();
                present.add(path);
                if (f.isFile() && seen.add(path)) {
                    fresh.add(path);
                }
            }
            // Remember only files still there, so the set does not grow forever; a file removed and
            // later added again under the same name is new data and is read again.
            seen.retainAll(present);
        } catch (IOException e) {
            throw new SluiceException("batch " + time.millis() + ": cannot list " + directory + ": " + e.getMessage(), e);
        }
        log.debug("batch {}: {} new file(s) in {}", time.millis(), fresh.size(), directory);
        return Optional.of(EngineServices.of(engine()).textFiles(fresh, name()));
    }
}
