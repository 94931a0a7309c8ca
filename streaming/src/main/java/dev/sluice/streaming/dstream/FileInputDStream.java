package dev.sluice.streaming.dstream;

import dev.sluice.core.Dataset;
import dev.sluice.core.SluiceException;
import dev.sluice.core.spi.EngineServices;
import dev.sluice.streaming.InputFileProblem;
import dev.sluice.streaming.Time;
import dev.sluice.streaming.checkpoint.InputAllocation;
import dev.sluice.streaming.checkpoint.InputAllocation.FileNames;
import dev.sluice.streaming.function.FilePathFilter;
import dev.sluice.streaming.input.FileFormat;
import dev.sluice.streaming.input.FileReadFunction;
import dev.sluice.streaming.input.FileSelector;
import dev.sluice.streaming.input.ListedFile;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Files in a directory on any Hadoop FileSystem, read once each, one partition per file, in a
 * {@link FileFormat}: each batch lists the directory and reads the files the {@link FileSelector}
 * takes (complete ones only: see its rules for files written in place and files that change
 * after they were read). Names starting with '.' or '_' are never read (the usual names of files
 * still being written before their rename); the user's filter chooses among the rest. A file that
 * vanished between the listing and its task is reported by name, and the batch reads the others.
 *
 * <p>A batch's dataset is an ordinary core lineage: the batch's listed files, one per partition,
 * flat-mapped by a {@link FileReadFunction}. The Hadoop configuration comes from the engine's
 * {@link EngineServices}; problems go to the {@code problems} callback the context passes in
 * (it posts them to the listeners), so this node needs neither the context nor the scheduler.
 */
public final class FileInputDStream<T> extends InputDStream<T> implements RecoverableInput {
    static final String SEEN = "#seen";
    private static final Logger log = LoggerFactory.getLogger(FileInputDStream.class);
    private final String directory;
    private final FilePathFilter filter;
    private final boolean newFilesOnly;
    /** Set by {@link #replay}: the files present at start are judged by the checkpoint, not ignored. */
    private volatile boolean recovered;
    private final FileFormat<T> format;
    private final Consumer<InputFileProblem> problems;
    private final Configuration hadoopConf;
    private final FileSelector selector;
    /** The files each generated batch read, and the files already read once it was generated (for recovery). */
    private final NavigableMap<Time, Selection> history = new ConcurrentSkipListMap<>();
    /** Recorded files of batches a recovered context computes again. */
    private final Map<Time, List<String>> replayed = new ConcurrentHashMap<>();
    /** The files known read once the recorded batches were taken back (all of theirs and those read before). */
    private volatile List<String> seenAtReplay = List.of();

    /** The oldest modification time of the files each batch reads, until the generator takes it. */
    private final NavigableMap<Time, Long> oldestModified = new ConcurrentSkipListMap<>();

    private record Selection(List<String> files, List<String> readAfter) {
    }
    private boolean warnedFutureTimes;
    /** With a checkpoint directory the metadata checkpoint asks for each batch's files (until forgetBefore). */
    private final boolean checkpointing;

    /**
     * Creates the input watching {@code directory} and registers it with {@code graph};
     * {@code kind} is the operation that made it ({@link OperatorKind#FILE_INPUT} and the like),
     * {@code problems} is told of each changed or vanished file (from the generator thread or
     * the worker thread of the task that found it).
     */
    public FileInputDStream(DStreamGraph graph, OperatorKind kind, String directory, FilePathFilter filter,
                            boolean newFilesOnly, FileFormat<T> format, Consumer<InputFileProblem> problems) {
        super(graph, kind);
        this.directory = directory;
        this.filter = filter;
        this.newFilesOnly = newFilesOnly;
        this.format = format;
        this.problems = problems;
        this.hadoopConf = EngineServices.of(engine()).hadoopConf();
        this.selector = new FileSelector(graph.batchInterval().toMillis());
        this.checkpointing = engine().checkpointDir().isPresent();
        setName(kind.operation() + " " + directory);
    }

    @Override
    public void start() {
        // A recovered stream knows from its checkpoint which files were read: the others present at
        // start arrived while the earlier run was down (or before it read them) and must be read.
        if (newFilesOnly && !recovered) {
            List<ListedFile> present = list(null);
            selector.ignoreExisting(present);
            log.debug("{}: {} file(s) present at start are not read (newFilesOnly)", name(), present.size());
        }
    }

    /** Not counted: the records of new files are known only once a job reads them. */
    @Override
    public long recordsAt(Time time) {
        return 0;
    }

    /** The oldest modification time of the files batch {@code time} reads (-1 if none, or a replayed batch). */
    @Override
    public long oldestRecordMillis(Time time) {
        Long oldest = oldestModified.remove(time);
        oldestModified.headMap(time).clear(); // batches never asked for (none, normally)
        return oldest == null ? -1 : oldest;
    }

    @Override
    protected Optional<Dataset<T>> compute(Time time) {
        List<String> recorded = replayed.get(time);
        if (recorded != null) {
            log.debug("batch {}: {} re-reads the {} recorded file(s) of the batch", time.millis(), name(),
                    recorded.size());
            // Recorded before it leaves the replayed map, so a checkpoint written meanwhile finds it in one of them.
            history.put(time, new Selection(recorded, selector.readPaths()));
            replayed.remove(time);
            return Optional.of(read(time, recorded.stream().map(path -> new ListedFile(path, 0, 0)).toList()));
        }
        FileSelector.Selection selection = selector.select(list(time), time.millis());
        for (ListedFile f : selection.changedAfterRead()) {
            report(time, InputFileProblem.Kind.CHANGED_AFTER_READ, f.path(), String.format("file %s changed after "
                    + "it was read (now %d bytes, modified at %d ms); it is not read again: write files elsewhere and "
                    + "move them in when complete", f.path(), f.length(), f.modificationTime()));
        }
        warnIfFromTheFuture(selection.heldBack(), time);
        log.debug("batch {}: {} reads {} file(s), holds back {} still being written", time.millis(), name(),
                selection.toRead().size(), selection.heldBack().size());
        List<ListedFile> files = selection.toRead();
        history.put(time, new Selection(files.stream().map(ListedFile::path).toList(), selector.readPaths()));
        long oldest = -1;
        for (ListedFile f : files) {
            oldest = oldest < 0 ? f.modificationTime() : Math.min(oldest, f.modificationTime());
        }
        if (oldest >= 0) {
            oldestModified.put(time, oldest);
        }
        return Optional.of(read(time, files));
    }

    private Dataset<T> read(Time time, List<ListedFile> files) {
        if (files.isEmpty()) {
            return engine().<T>emptyDataset().setName(name() + " @ " + time.millis());
        }
        FileReadFunction.VanishedFiles vanished = (file, cause) -> report(time, InputFileProblem.Kind.VANISHED,
                file.path(), "file " + file.path() + " was listed but is gone (" + cause.getMessage() + "); the batch "
                        + "reads its other files");
        Dataset<T> records = engine().parallelize(files, files.size())
                .flatMap(new FileReadFunction<>(hadoopConf, format, vanished));
        return records.setName(name() + " @ " + time.millis());
    }

    @Override
    public Map<String, InputAllocation> allocationsAt(String uid, Time time, boolean newest) {
        Selection s = history.get(time);
        if (s == null) {
            // A batch the crashed run generated and this run has not computed again yet: the checkpoint
            // written now must still record its files, and (if it is the newest) every file read before it.
            List<String> recorded = replayed.get(time);
            if (recorded == null) {
                return Map.of();
            }
            s = new Selection(recorded, seenAtReplay);
        }
        return newest ? Map.of(uid, new FileNames(s.files()), uid + SEEN, new FileNames(s.readAfter()))
                : Map.of(uid, new FileNames(s.files()));
    }

    @Override
    protected void releaseBatch(Time time) {
        if (!checkpointing) {
            history.remove(time); // without a checkpoint, nothing asks for a released batch's files again
        }
    }

    /** How many batches' file lists this input holds (for tests). */
    int recordedBatches() {
        return history.size();
    }

    @Override
    public void forgetBefore(Time time) {
        history.headMap(time, false).clear();
    }

    @Override
    public void replay(String uid, NavigableMap<Time, Map<String, InputAllocation>> batches) {
        recovered = true;
        Map<Time, List<String>> files = new HashMap<>();
        batches.forEach((time, inputs) -> {
            InputAllocation a = inputs.get(uid);
            if (a instanceof FileNames names) {
                files.put(time, names.files());
                selector.markRead(names.files());
            } else if (a != null) {
                throw new IllegalStateException("the checkpoint's allocation of input '" + uid + "' for batch "
                        + time.millis() + " ms is " + a + ", not the file names a file stream records; was the "
                        + "input replaced by another kind of input? Give the new one another uid");
            }
            if (inputs.get(uid + SEEN) instanceof FileNames already) {
                selector.markRead(already.files());
            }
        });
        replayed.putAll(files);
        seenAtReplay = selector.readPaths();
    }

    /** Lists the visible files the filter accepts, in path order; {@code time} is null at start. */
    private List<ListedFile> list(Time time) {
        String batch = time == null ? "start" : "batch " + time.millis();
        try {
            Path dir = new Path(directory);
            FileSystem fs = dir.getFileSystem(hadoopConf);
            FileStatus[] statuses;
            try {
                statuses = fs.listStatus(dir, p -> !p.getName().startsWith(".") && !p.getName().startsWith("_"));
            } catch (FileNotFoundException e) {
                log.debug("{}: directory {} does not exist yet", batch, directory);
                return List.of();
            }
            Arrays.sort(statuses);
            List<ListedFile> files = new ArrayList<>(statuses.length);
            for (FileStatus s : statuses) {
                String path = s.getPath().toString();
                if (s.isFile() && accepts(path, batch)) {
                    files.add(new ListedFile(path, s.getLen(), s.getModificationTime()));
                }
            }
            return files;
        } catch (IOException e) {
            throw new SluiceException(batch + ": cannot list " + directory + ": " + e.getMessage(), e);
        }
    }

    private boolean accepts(String path, String batch) {
        try {
            return filter.accept(path);
        } catch (Exception e) {
            throw new SluiceException("the path filter of " + name() + " failed on " + path + " (" + batch + ")", e);
        }
    }

    private void warnIfFromTheFuture(List<ListedFile> held, Time time) {
        for (ListedFile f : held) {
            if (f.modificationTime() > time.millis() && !warnedFutureTimes) {
                warnedFutureTimes = true;
                log.warn("batch {}: {}: file {} was modified at {} ms, after the batch time; it is read once the batch "
                        + "time is an interval past that. Under a manual clock (tests), set files' modification times "
                        + "relative to the clock (File.setLastModified); otherwise check the clocks", time.millis(),
                        name(), f.path(), f.modificationTime());
            }
        }
    }

    private void report(Time time, InputFileProblem.Kind kind, String path, String message) {
        log.warn("batch {}: {}: {}", time.millis(), name(), message);
        problems.accept(new InputFileProblem(id(), name(), time, kind, path, message));
    }
}
