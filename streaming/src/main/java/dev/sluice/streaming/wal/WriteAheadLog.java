package dev.sluice.streaming.wal;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.sluice.core.SluiceException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A write-ahead log on any Hadoop {@code FileSystem}: {@link #append} returns once its record
 * is durable (see {@link WalOptions.Durability}), so a reliable receiver may acknowledge its
 * source after it. Records go into rolling segment files ({@link SegmentFormat}); a
 * {@link WalReader} reads them back with their positions.
 *
 * <h2>Design notes</h2>
 *
 * <p><b>Threading.</b> Whoever holds the commit lock owns the open segment. An appending thread
 * puts its record on a queue and takes the lock; holding it, unless a thread before it already
 * wrote its record, it takes everything queued (up to {@code maxBatchRecords}), writes it,
 * flushes once and completes every record it took: group commit on the appenders' own threads,
 * so threads that queue while a flush runs share the next one, and a lone appender pays no
 * hand-off to another thread (two thread wake-ups per append, which on a busy machine cost more
 * than the write). Deletion and reading run on the caller's thread and only ever touch segments
 * other than the open one.
 *
 * <p><b>Invariants.</b> An append returns a position only after a flush that covered its record
 * returned. Records of one thread keep their order (a thread waits for each append). An append
 * returns only once its record is written or refused, so the caller may reuse the bytes it passed
 * as soon as it returns. A segment is only ever written by the log that created it: opening a log
 * starts a new segment after the highest one present, never appending after a tail that may be
 * torn. The open segment is never deleted.
 *
 * <p><b>Failure and retry.</b> No retry inside the log. When a write or flush fails, the
 * segment may hold any prefix of the batch, so retrying into a new segment could log records
 * twice; instead every waiting and later append fails with the cause, and the log is dead. The
 * receiver fails, and after a restart, reading recovers the valid prefix (a torn tail is
 * reported, a damaged middle refused). A record that was acknowledged is never lost or doubled.
 * An appender's interrupt flag is cleared while it writes and set again after, so an interrupt
 * that came before cannot fail the write; one that comes during an interruptible flush (HDFS)
 * fails the log like any other write failure.
 *
 * <p><b>Why not X.</b> Why not one flush per record: an {@code hflush} to HDFS is a round trip
 * through the replica pipeline, and a per-record flush bounds a receiver at a few thousand
 * records per second. Why not flush on a timer: the latency of each append would be the timer's
 * period even when idle, while group commit flushes at once when alone and batches itself under
 * load. Why not Hadoop's {@code SequenceFile}: it has no per-record checksum we can check and
 * report by offset, and no defined torn-tail recovery. Why not Java serialization of records:
 * the log stores bytes; what they mean is the caller's.
 */
public final class WriteAheadLog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WriteAheadLog.class);

    private final WalReader reader;
    private final FileSystem fs;
    private final WalOptions options;
    /** Appends not yet written, in the order they came. */
    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    /** Guards the open segment, {@code flushes} (writes) and the closing of the log. */
    private final ReentrantLock commitLock = new ReentrantLock();
    private volatile boolean closed;
    private volatile Throwable failure;
    private volatile long openSequence;
    private volatile long flushes;
    private volatile FlushObserver flushObserver;
    private SegmentWriter segment;

    /** One append: its bytes, and its outcome (set once, under the commit lock). */
    private static final class Pending {
        final byte[] payload;
        final int length;
        WalPosition position;
        Throwable error;
        volatile boolean done;

        Pending(byte[] payload, int length) {
            this.payload = payload;
            this.length = length;
        }

        void complete(WalPosition at) {
            position = at;
            done = true;
        }

        void fail(Throwable e) {
            error = e;
            done = true;
        }
    }

    private WriteAheadLog(WalReader reader, WalOptions options, long nextSequence) throws IOException {
        this.reader = reader;
        this.fs = reader.fs();
        this.options = options;
        this.segment = openSegment(nextSequence);
    }

    /**
     * Opens the log in {@code dirUri} (created if missing) for appending, in a new segment after
     * the highest one present.
     */
    public static WriteAheadLog open(String dirUri, WalOptions options, Configuration conf) {
        checkNotNull(options, "options");
        WalReader reader = WalReader.open(dirUri, conf, options.maxRecordBytes());
        List<SegmentFile> existing = reader.segments();
        long next = existing.isEmpty() ? 1 : existing.get(existing.size() - 1).sequence() + 1;
        try {
            reader.fs().mkdirs(reader.dir());
            WriteAheadLog wal = new WriteAheadLog(reader, options, next);
            log.info("write-ahead log {} opened at segment {} ({} segments present)", reader.dir(), next,
                    existing.size());
            return wal;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open write-ahead log " + dirUri
                    + "; check that the directory can be created and written", e);
        }
    }

    /**
     * Appends {@code record} and returns its position once it is durable.
     *
     * @throws SluiceException if the log failed (with the cause)
     * @throws IllegalStateException if the log is closed
     */
    public WalPosition append(byte[] record) {
        return append(record, checkNotNull(record, "record").length);
    }

    /**
     * Appends the first {@code length} bytes of {@code record} and returns their position once
     * they are durable. The log reads the bytes until this returns, and never after, so the
     * caller may then reuse the array.
     *
     * @throws SluiceException if the log failed (with the cause)
     * @throws IllegalStateException if the log is closed
     */
    public WalPosition append(byte[] record, int length) {
        checkNotNull(record, "record");
        checkArgument(length >= 0 && length <= record.length, "length %s is outside the record's %s bytes", length,
                record.length);
        checkArgument(length <= options.maxRecordBytes(), "record of %s bytes exceeds maxRecordBytes %s", length,
                options.maxRecordBytes());
        Pending p = new Pending(record, length);
        queue.add(p);
        commitLock.lock();
        try {
            if (!p.done) {
                commitUntilDone(p);
            }
        } finally {
            commitLock.unlock();
        }
        if (p.error instanceof IllegalStateException s) {
            throw new IllegalStateException(s.getMessage(), s);
        }
        if (p.error != null) {
            throw new SluiceException("append to write-ahead log " + reader.dir() + " failed: " + p.error, p.error);
        }
        return p.position;
    }

    /** Writes what is queued, a group at a time, until {@code own} is written or refused (holding the lock). */
    private void commitUntilDone(Pending own) {
        boolean interrupted = Thread.interrupted();
        List<Pending> batch = new ArrayList<>();
        try {
            while (!own.done) {
                for (Pending q; batch.size() < options.maxBatchRecords() && (q = queue.poll()) != null; ) {
                    batch.add(q);
                }
                if (closed || failure != null) {
                    Throwable refusal = refusal();
                    batch.forEach(q -> q.fail(refusal));
                } else {
                    commitOrFail(batch);
                }
                batch.clear();
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void commitOrFail(List<Pending> batch) {
        try {
            commit(batch);
        } catch (IOException | RuntimeException | Error e) {
            failure = e;
            // Once, without the trace: every append gets the exception with this as its cause.
            log.warn("write-ahead log {} failed at segment {}: {}; appends fail from now on", reader.dir(),
                    segment.file().path(), e.toString());
            batch.forEach(q -> q.fail(e));
            closeQuietly();
        }
    }

    /** Returns a reader of this log's directory. */
    public WalReader reader() {
        return reader;
    }

    /** Returns the sequence number of the segment being appended to. */
    public long openSegment() {
        return openSequence;
    }

    /** Returns how many group flushes acknowledged appends so far (appends / flushes = batch size). */
    public long flushCount() {
        return flushes;
    }

    /** Returns how many appends wait to be written right now (for tests). */
    int waitingAppends() {
        return queue.size();
    }

    /** Tells {@code observer} of every later group commit: its duration and bytes (metrics). */
    public void observeFlushes(FlushObserver observer) {
        this.flushObserver = checkNotNull(observer, "observer");
    }

    /**
     * Deletes the segments whose records all lie before {@code firstNeeded} (never the open one).
     *
     * @return how many segments were deleted
     */
    public int deleteBefore(WalPosition firstNeeded) {
        checkNotNull(firstNeeded, "firstNeeded");
        List<SegmentFile> segments = reader.segments();
        List<SegmentFile> doomed = new ArrayList<>();
        for (SegmentFile s : segments) {
            if (s.sequence() < firstNeeded.segment() && s.sequence() < openSequence) {
                doomed.add(s);
            }
        }
        return delete(doomed);
    }

    /**
     * Deletes the segments all of whose records were written before {@code millis} by the log's
     * clock: those followed by a segment created at or before {@code millis} (never the open one).
     *
     * @return how many segments were deleted
     */
    public int deleteOlderThan(long millis) {
        List<SegmentFile> segments = reader.segments();
        List<SegmentFile> doomed = new ArrayList<>();
        // Only a prefix, even if the clock went back: a gap in the sequence reads as a lost segment.
        for (int i = 0; i + 1 < segments.size(); i++) {
            SegmentFile s = segments.get(i);
            if (segments.get(i + 1).createdMillis() > millis || s.sequence() >= openSequence) {
                break;
            }
            doomed.add(s);
        }
        return delete(doomed);
    }

    private int delete(List<SegmentFile> doomed) {
        int deleted = 0;
        for (SegmentFile s : doomed) {
            try {
                if (fs.delete(s.path(), false)) {
                    deleted++;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete write-ahead log segment " + s.path(), e);
            }
        }
        if (deleted > 0) {
            log.debug("write-ahead log {}: deleted {} segments", reader.dir(), deleted);
        }
        return deleted;
    }

    /**
     * Closes the open segment (every append that returned is flushed already); later appends, and
     * appends still waiting for the lock, fail.
     */
    @Override
    public void close() {
        commitLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (failure == null) {
                segment.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close write-ahead log segment " + segment.file().path(), e);
        } finally {
            commitLock.unlock();
        }
        log.info("write-ahead log {} closed", reader.dir());
    }

    private void commit(List<Pending> batch) throws IOException {
        if (batch.isEmpty()) {
            return;
        }
        FlushObserver observer = flushObserver;
        long start = observer == null ? 0 : System.nanoTime();
        long bytes = 0;
        WalPosition[] positions = new WalPosition[batch.size()];
        for (int i = 0; i < positions.length; i++) {
            Pending p = batch.get(i);
            if (needsRoll(p.length)) {
                roll();
            }
            positions[i] = segment.write(p.payload, p.length);
            bytes += SegmentFormat.RECORD_HEADER_BYTES + p.length;
        }
        segment.flush(options.durability());
        flushes++; // under the commit lock
        if (observer != null) {
            observer.flushed(reader.dir().getName(), System.nanoTime() - start, bytes, positions.length);
        }
        for (int i = 0; i < positions.length; i++) {
            batch.get(i).complete(positions[i]);
        }
    }

    private boolean needsRoll(int payloadBytes) {
        if (!segment.hasRecords()) {
            return false;
        }
        long age = options.clock().getAsLong() - segment.file().createdMillis();
        return segment.length() + SegmentFormat.RECORD_HEADER_BYTES + payloadBytes > options.segmentBytes()
                || age >= options.rollInterval().toMillis();
    }

    private void roll() throws IOException {
        segment.flush(options.durability());
        segment.close();
        segment = openSegment(segment.file().sequence() + 1);
    }

    private SegmentWriter openSegment(long sequence) throws IOException {
        SegmentWriter s = SegmentWriter.create(fs, SegmentFile.of(reader.dir(), sequence,
                options.clock().getAsLong()));
        openSequence = sequence;
        log.debug("write-ahead log {}: opened segment {}", reader.dir(), s.file().path());
        return s;
    }

    private Throwable refusal() {
        Throwable f = failure;
        if (f != null) {
            return new SluiceException("write-ahead log " + reader.dir() + " failed earlier: " + f, f);
        }
        return new IllegalStateException("write-ahead log " + reader.dir() + " is closed; open a new one to append");
    }

    private void closeQuietly() {
        try {
            segment.close();
        } catch (IOException | RuntimeException suppressed) {
            log.debug("closing failed segment {} of write-ahead log {} failed too", segment.file().path(),
                    reader.dir(), suppressed);
        }
    }
}
