package dev.sluice.streaming.dstream;

import dev.sluice.core.Dataset;
import dev.sluice.core.SluiceException;
import dev.sluice.core.spi.EngineServices;
import dev.sluice.streaming.Time;
import dev.sluice.streaming.checkpoint.InputAllocation;
import dev.sluice.streaming.checkpoint.InputAllocation.FileNames;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
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
 *
 * <p>Recovery: each batch's files are recorded (and, for the newest recorded batch, every file
 * already read), so a recovered context re-reads exactly the files of a re-run batch and does not
 * read a file it already processed again.
 */
public final class FileInputDStream extends InputDStream<String> implements RecoverableInput {
    private static final Logger log = LoggerFactory.getLogger(FileInputDStream.class);
    private static final String SEEN = "#seen";
    private final String directory;
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    /** The files each generated batch read, and the files seen once it was generated. */
    private final NavigableMap<Time, Selection> history = new ConcurrentSkipListMap<>();
    /** Recorded files of batches a recovered context computes again. */
    private final Map<Time, List<String>> replayed = new ConcurrentHashMap<>();

    private record Selection(List<String> files, List<String> seenAfter) {
    }

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
        List<String> recorded = replayed.remove(time);
        if (recorded != null) {
            log.debug("batch {}: re-reading the {} recorded file(s) of {}", time.millis(), recorded.size(), directory);
            history.put(time, new Selection(recorded, List.copyOf(seen)));
            return Optional.of(EngineServices.of(engine()).textFiles(recorded, name()));
        }
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
        history.put(time, new Selection(List.copyOf(fresh), List.copyOf(seen)));
        return Optional.of(EngineServices.of(engine()).textFiles(fresh, name()));
    }

    @Override
    public Map<String, InputAllocation> allocationsAt(String uid, Time time, boolean newest) {
        Selection s = history.get(time);
        if (s == null) {
            return Map.of();
        }
        return newest ? Map.of(uid, new FileNames(s.files()), uid + SEEN, new FileNames(s.seenAfter()))
                : Map.of(uid, new FileNames(s.files()));
    }

    @Override
    public void forgetBefore(Time time) {
        history.headMap(time, false).clear();
    }

    @Override
    public void replay(String uid, NavigableMap<Time, Map<String, InputAllocation>> batches) {
        Map<Time, List<String>> files = new HashMap<>();
        batches.forEach((time, inputs) -> {
            InputAllocation a = inputs.get(uid);
            if (a instanceof FileNames names) {
                files.put(time, names.files());
                seen.addAll(names.files());
            } else if (a != null) {
                throw new IllegalStateException("the checkpoint's allocation of input '" + uid + "' for batch "
                        + time.millis() + " ms is " + a + ", not the file names a file stream records; was the "
                        + "input replaced by another kind of input? Give the new one another uid");
            }
            if (inputs.get(uid + SEEN) instanceof FileNames already) {
                seen.addAll(already.files());
            }
        });
        replayed.putAll(files);
    }
}
