package dev.sluice.streaming.wal;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.sluice.core.SluiceException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
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
 * <p><b>Threading.</b> One writer thread owns the open segment. Appending threads put their
 * record and a future on a queue and wait; the writer takes everything queued (up to {@code
 * maxBatchRecords}), writes it, flushes once and completes all the futures: group commit, so
 * concurrent appends share one {@code hflush}/{@code hsync}. Deletion and reading run on the
 * caller's thread and only ever touch segments other than the open one.
 *
 * <p><b>Invariants.</b> A future completes with a position only after a flush that covered its
 * record returned. Records of one thread keep their order (a thread waits for each append; with
 * {@link #appendAsync} the queue keeps submission order). A segment is only ever written by the
 * log that created it: opening a log starts a new segment after the highest one present, never
 * appending after a tail that may be torn. The open segment is never deleted.
 *
 * <p><b>Failure and retry.</b> No retry inside the log. When a write or flush fails, the
 * segment may hold any prefix of the batch, so retrying into a new segment could log records
 * twice; instead every waiting and later append fails with the cause, and the log is dead. The
 * receiver fails, and after a restart, reading recovers the valid prefix (a torn tail is
 * reported, a damaged middle refused). A record that was acknowledged is never lost or doubled.
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
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile boolean closed;
    private volatile Throwable failure;
    private volatile long openSequence;
    private volatile long flushes;
    private volatile FlushObserver flushObserver;
    private SegmentWriter segment;

    private record Pending(byte[] payload, CompletableFuture<WalPosition> done) {
        static final Pending CLOSE = new Pending(new byte[0], new CompletableFuture<>());
    }

    private WriteAheadLog(WalReader reader, WalOptions options, long nextSequence) throws IOException {
        this.reader = reader;
        this.fs = reader.fs();
        this.options = options;
        this.segment = openSegment(nextSequence);
        this.writer = new Thread(this::writeLoop, "sluice-wal-writer " + reader.dir().getName());
        this.writer.setDaemon(true);
        this.writer.start();
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
     * @throws SluiceException if the log failed (with the cause) or the wait was interrupted
     * @throws IllegalStateException if the log is closed
     */
    public WalPosition append(byte[] record) {
        CompletableFuture<WalPosition> done = appendAsync(record);
        try {
            return done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SluiceException("interrupted waiting for write-ahead log " + reader.dir()
                    + "; the record may or may not be durable", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IllegalStateException s) {
                throw new IllegalStateException(s.getMessage(), s);
            }
            throw new SluiceException("append to write-ahead log " + reader.dir() + " failed: " + e.getCause(),
                    e.getCause());
        }
    }

    /** Queues {@code record}; the future completes with its position once it is durable. */
    public CompletableFuture<WalPosition> appendAsync(byte[] record) {
        checkNotNull(record, "record");
        checkArgument(record.length <= options.maxRecordBytes(), "record of %s bytes exceeds maxRecordBytes %s",
                record.length, options.maxRecordBytes());
        Pending p = new Pending(record, new CompletableFuture<>());
        queue.add(p);
        // Re-check after queueing: the writer sets closed/failed before its last drain, so a record
        // queued after that drain sees the flag here and fails itself.
        if ((closed || failure != null) && queue.remove(p)) {
            p.done.completeExceptionally(refusal());
        }
        return p.done;
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

    /** Flushes and closes the open segment after every queued append; later appends fail. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        queue.add(Pending.CLOSE);
        try {
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("write-ahead log {} closed", reader.dir());
    }

    private void writeLoop() {
        List<Pending> batch = new ArrayList<>();
        boolean closing = false;
        try {
            while (!closing) {
                batch.add(queue.take());
                queue.drainTo(batch, options.maxBatchRecords() - 1);
                closing = batch.remove(Pending.CLOSE);
                commit(batch);
                batch.clear();
            }
            segment.close();
        } catch (IOException | RuntimeException | Error e) {
            failure = e;
            // Once, without the trace: every append gets the exception with this as its cause.
            log.warn("write-ahead log {} failed at segment {}: {}; appends fail from now on", reader.dir(),
                    segment.file().path(), e.toString());
            batch.forEach(p -> p.done.completeExceptionally(e));
            closeQuietly();
        } catch (InterruptedException e) {
            failure = new InterruptedIOException("write-ahead log writer interrupted");
            batch.forEach(p -> p.done.completeExceptionally(failure));
            closeQuietly();
        } finally {
            closed = true;
            List<Pending> left = new ArrayList<>();
            queue.drainTo(left);
            left.stream().filter(p -> p != Pending.CLOSE).forEach(p -> p.done.completeExceptionally(refusal()));
        }
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
            byte[] payload = batch.get(i).payload;
            if (needsRoll(payload.length)) {
                roll();
            }
            positions[i] = segment.write(payload);
            bytes += SegmentFormat.RECORD_HEADER_BYTES + payload.length;
        }
        segment.flush(options.durability());
        flushes++; // written by the writer thread only
        if (observer != null) {
            observer.flushed(reader.dir().getName(), System.nanoTime() - start, bytes, positions.length);
        }
        for (int i = 0; i < positions.length; i++) {
            batch.get(i).done.complete(positions[i]);
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
