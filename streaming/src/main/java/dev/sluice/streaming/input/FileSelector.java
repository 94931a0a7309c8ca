package dev.sluice.streaming.input;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides, batch by batch, which files of a watched directory a file stream reads, so that a
 * file is read once and only when it is complete.
 *
 * <p>The rules, for batch time {@code t} and batch interval {@code i}:
 * <ol>
 *   <li>A file is read when its modification time is at most {@code t - i}: nobody has written to
 *       it for a whole batch interval. A file moved into the directory atomically (written
 *       elsewhere, then renamed; a rename keeps the modification time) more than an interval after
 *       it was written is therefore read in the batch it appears in; a file written in place is
 *       held back, batch after batch, until its writer has left it alone for an interval. Times
 *       are the file system's modification times against the batch times of the context's clock.
 *   <li>A file is read once. If a later listing shows it with another length or modification
 *       time, it is reported as changed after it was read, once per change, and not read again.
 *   <li>Files present when the stream starts are either taken as already read ({@code
 *       newFilesOnly}), changes included, or read like new ones.
 *   <li>A file that disappears from the listing is forgotten, so the memory of read files stays as
 *       large as the directory: a file deleted and later added again under its name is read again.
 * </ol>
 *
 * <p>Threading: {@link #ignoreExisting} runs before the generator thread starts, {@link #select}
 * on the generator thread only.
 */
public final class FileSelector {
    private final long intervalMillis;
    /** Files read, with the length and modification time they had when read (or last reported). */
    private final Map<String, ListedFile> read = new HashMap<>();
    /** Files present at start with {@code newFilesOnly}: never read, changes not reported. */
    private final Set<String> ignored = new HashSet<>();

    /** What one batch reads, and what it found changed. */
    public record Selection(List<ListedFile> toRead, List<ListedFile> changedAfterRead, List<ListedFile> heldBack) {
    }

    /** Creates the selector of a stream whose batch interval is {@code intervalMillis}. */
    public FileSelector(long intervalMillis) {
        this.intervalMillis = intervalMillis;
    }

    /** Takes {@code present} (the listing at start) as already read: for {@code newFilesOnly}. */
    public void ignoreExisting(List<ListedFile> present) {
        for (ListedFile f : present) {
            ignored.add(f.path());
        }
    }

    /** Returns the paths read so far (and those ignored at start), for the metadata checkpoint. */
    public synchronized List<String> readPaths() {
        List<String> paths = new ArrayList<>(read.keySet());
        paths.addAll(ignored);
        paths.sort(null);
        return List.copyOf(paths);
    }

    /**
     * Takes {@code paths} as read by an earlier run (recovery): they are not read again, and later
     * changes to them are not reported.
     */
    public synchronized void markRead(java.util.Collection<String> paths) {
        ignored.addAll(paths);
    }

    /** Returns what batch {@code batchMillis} reads of {@code listing} (files only, in path order). */
    public synchronized Selection select(List<ListedFile> listing, long batchMillis) {
        List<ListedFile> toRead = new ArrayList<>();
        List<ListedFile> changed = new ArrayList<>();
        List<ListedFile> held = new ArrayList<>();
        Set<String> present = new HashSet<>();
        for (ListedFile f : listing) {
            present.add(f.path());
            if (ignored.contains(f.path())) {
                continue;
            }
            ListedFile before = read.get(f.path());
            if (before != null) {
                if (before.changedIn(f)) {
                    changed.add(f);
                    read.put(f.path(), f);
                }
            } else if (f.modificationTime() <= batchMillis - intervalMillis) {
                toRead.add(f);
                read.put(f.path(), f);
            } else {
                held.add(f);
            }
        }
        read.keySet().retainAll(present);
        ignored.retainAll(present);
        return new Selection(toRead, changed, held);
    }
}
