package dev.sluice.streaming.input;

import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import dev.sluice.core.spi.InputBlock;
import dev.sluice.core.spi.InputBlocks;
import dev.sluice.streaming.Time;
import dev.sluice.streaming.wal.FlushObserver;
import dev.sluice.streaming.wal.MemoryBlockHandler;
import dev.sluice.streaming.wal.ReceivedBlockHandle;
import dev.sluice.streaming.wal.ReceivedBlockHandler;
import dev.sluice.streaming.wal.TornTail;
import dev.sluice.streaming.wal.WalBlockHandler;
import dev.sluice.streaming.wal.WalOptions;
import dev.sluice.streaming.wal.WalPosition;
import dev.sluice.streaming.wal.WalReader;
import dev.sluice.streaming.wal.WriteAheadLog;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Allocates received data to batches. At each batch time, everything each receiver stored since
 * the previous batch time is assigned to the batch: a record stored before the tick is in that
 * batch, one stored after is in the next. Blocks are released when their stream forgets their
 * batch (or any later one).
 *
 * <p>Two modes, one path: without a write-ahead log, what a receiver stored is buffered and cut
 * into up to {@code parallelism} blocks at the batch time (the {@link MemoryBlockHandler} puts
 * them in the block store). With the log ({@link #useWriteAheadLog}), every {@code store} call is
 * one block written through the {@link WalBlockHandler} (durable before {@code store} returns,
 * group-committed with concurrent stores), and each batch's allocation is logged to an
 * {@link AllocationLog} next to it before the batch is queued, so {@link #recover} can rebuild the
 * batches a crash interrupted and hand never-allocated blocks to the next batch.
 *
 * <p>Threading: {@link #allocate} and {@link #blocksOf} run on the generator thread;
 * {@link #releaseUpTo} on the job thread; {@link #recover} before start. State is in concurrent
 * maps; the log bookkeeping ({@code logged}) is guarded by its own monitor.
 */
public final class ReceiverTracker {
    private static final Logger log = LoggerFactory.getLogger(ReceiverTracker.class);
    /** Sub-directories of the log directory: the receivers' blocks, and the allocations. */
    static final String BLOCKS_DIR = "blocks";
    static final String ALLOCATIONS_DIR = "allocations";

    private final InputBlocks blockStore;
    private final MemoryBlockHandler memory;
    private final int parallelism;
    private final Map<Integer, ReceiverSupervisor<?>> supervisors = new ConcurrentHashMap<>();
    private final Map<Integer, ConcurrentSkipListMap<Time, Allocation>> allocations = new ConcurrentHashMap<>();
    /** Batches whose allocations {@link #recover} restored: re-running them takes those, not what is stored now. */
    private final NavigableSet<Time> recoveredBatches = new ConcurrentSkipListSet<>();
    private final Map<Integer, Time> releasedUpTo = new ConcurrentHashMap<>();
    private final AtomicLong blockSequence = new AtomicLong();
    private final ReceiverGate gate = new ReceiverGate();
    private volatile ReceivedBlockHandler handler;
    private String logDir;
    private Configuration logConf;
    private WalOptions logOptions = WalOptions.defaults();
    private WriteAheadLog blockLog;
    private AllocationLog allocationLog;
    private FlushObserver flushObserver;
    /** Logged allocations whose log records are still needed, by batch time then stream (log mode only). */
    private final ConcurrentSkipListMap<Time, List<AllocationLog.Entry>> logged = new ConcurrentSkipListMap<>();
    private volatile Runnable afterBlockLogged = () -> { };

    /** The blocks of one stream in one batch, and how many records they hold. */
    public record Allocation(List<InputBlock> blocks, long records, List<ReceivedBlockHandle> handles) {
        public Allocation {
            blocks = List.copyOf(blocks);
            handles = List.copyOf(handles);
        }

        static Allocation of(List<ReceivedBlockHandle> handles) {
            List<InputBlock> ids = new ArrayList<>(handles.size());
            long n = 0;
            for (ReceivedBlockHandle h : handles) {
                ids.add(h.id());
                n += h.records();
            }
            return new Allocation(ids, n, handles);
        }
    }

    /** How much {@link #recover} put back. */
    public record Recovered(int batches, int blocks, long records, int unallocatedBlocks, long unallocatedRecords,
                            List<TornTail> tornTails) {
        public Recovered {
            tornTails = List.copyOf(tornTails);
        }
    }

    /** Creates a tracker putting blocks into {@code blockStore}, cut in up to {@code parallelism} pieces. */
    public ReceiverTracker(InputBlocks blockStore, int parallelism) {
        this.blockStore = blockStore;
        this.memory = new MemoryBlockHandler(blockStore);
        this.handler = memory;
        this.parallelism = parallelism;
    }

    /**
     * Logs received blocks and allocations under {@code dir} (a Hadoop FileSystem URI); the logs
     * are opened by {@link #openLog} (at start, or by {@link #recover}).
     */
    public synchronized void useWriteAheadLog(String dir, Configuration conf) {
        useWriteAheadLog(dir, conf, WalOptions.defaults());
    }

    /** {@link #useWriteAheadLog(String, Configuration)} with the logs' {@code options} (segment size, durability). */
    public synchronized void useWriteAheadLog(String dir, Configuration conf, WalOptions options) {
        checkState(blockLog == null, "the write-ahead log is already open");
        this.logDir = checkNotNull(dir, "dir");
        this.logConf = checkNotNull(conf, "conf");
        this.logOptions = checkNotNull(options, "options");
    }

    /**
     * Runs {@code hook} on the receiver's thread after each block is durable in the log and before
     * {@code store} hands it to the tracker (so before any batch can be allocated it): where the
     * crash tests stop the JVM. A hook, since the crash points' package depends on this one.
     */
    public void afterBlockLogged(Runnable hook) {
        this.afterBlockLogged = checkNotNull(hook, "hook");
    }

    /** Returns true if received blocks go through the write-ahead log. */
    public boolean isLogged() {
        return logDir != null;
    }

    /** Opens the logs if {@link #useWriteAheadLog} was called and a receiver exists; idempotent. */
    public synchronized void openLog() {
        if (logDir == null || blockLog != null || supervisors.isEmpty()) {
            return;
        }
        blockLog = WriteAheadLog.open(logDir + "/" + BLOCKS_DIR, logOptions, logConf);
        WriteAheadLog allocations = WriteAheadLog.open(logDir + "/" + ALLOCATIONS_DIR, logOptions, logConf);
        if (flushObserver != null) {
            blockLog.observeFlushes(flushObserver);
            allocations.observeFlushes(flushObserver);
        }
        allocationLog = new AllocationLog(allocations);
        WalBlockHandler wal = new WalBlockHandler(memory, blockLog);
        handler = wal;
        for (Map.Entry<Integer, ReceiverSupervisor<?>> e : supervisors.entrySet()) {
            int streamId = e.getKey();
            e.getValue().useDurableStore(records -> {
                ReceivedBlockHandle h = wal.store(new InputBlock(streamId, blockSequence.getAndIncrement()), records);
                afterBlockLogged.run();
                return h;
            });
        }
        log.info("receiver write-ahead log open in {}", logDir);
    }

    /** Tells {@code observer} of every group commit of the logs (the metrics); before {@link #openLog}. */
    public synchronized void observeLogFlushes(FlushObserver observer) {
        this.flushObserver = checkNotNull(observer, "observer");
    }

    /** Closes the logs (after the last batch); later stores are refused by the stopped receivers. */
    public synchronized void closeLog() {
        if (blockLog != null) {
            blockLog.close();
            allocationLog.close();
        }
    }

    /** Adds a receiver's supervisor for stream {@code streamId}. */
    public void add(int streamId, ReceiverSupervisor<?> supervisor) {
        supervisor.useGate(gate);
        supervisors.put(streamId, supervisor);
        allocations.put(streamId, new ConcurrentSkipListMap<>());
    }

    /** Returns the gate every receiver's {@code store} waits on; backpressure closes it. */
    public ReceiverGate gate() {
        return gate;
    }

    /** Returns the supervisors, by stream id. */
    public Map<Integer, ReceiverSupervisor<?>> supervisors() {
        return Map.copyOf(supervisors);
    }

    /** Refuses every later store of every receiver (graceful stop, before the last batch). */
    public void seal() {
        supervisors.values().forEach(ReceiverSupervisor::seal);
    }

    /**
     * Assigns what every receiver stored so far to batch {@code time} (with the log: and logs the
     * allocation before returning); returns the record count.
     */
    public long allocate(Time time) {
        long total = 0;
        if (recoveredBatches.remove(time)) {
            for (ConcurrentSkipListMap<Time, Allocation> byTime : allocations.values()) {
                Allocation a = byTime.get(time);
                total += a == null ? 0 : a.records();
            }
            return total;
        }
        for (Map.Entry<Integer, ReceiverSupervisor<?>> e : supervisors.entrySet()) {
            int streamId = e.getKey();
            List<ReceivedBlockHandle> handles = cut(streamId, e.getValue().drain());
            handles.addAll(e.getValue().drainLogged());
            Allocation a = Allocation.of(handles);
            if (allocationLog != null && !handles.isEmpty()) {
                logAllocation(streamId, time, handles);
            }
            allocations.get(streamId).put(time, a);
            total += a.records();
        }
        return total;
    }

    private void logAllocation(int streamId, Time time, List<ReceivedBlockHandle> handles) {
        List<ReceivedBlockHandle.Logged> blocks = new ArrayList<>(handles.size());
        for (ReceivedBlockHandle h : handles) {
            blocks.add((ReceivedBlockHandle.Logged) h);
        }
        WalPosition at = allocationLog.append(streamId, time, blocks);
        logged.computeIfAbsent(time, t -> new ArrayList<>()).add(new AllocationLog.Entry(at, streamId, time, blocks));
    }

    private List<ReceivedBlockHandle> cut(int streamId, List<?> records) {
        List<ReceivedBlockHandle> blocks = new ArrayList<>();
        int n = records.size();
        int pieces = n == 0 ? 0 : Math.min(parallelism, n);
        for (int p = 0; p < pieces; p++) {
            List<?> piece = records.subList((int) ((long) p * n / pieces), (int) ((long) (p + 1) * n / pieces));
            blocks.add(memory.store(new InputBlock(streamId, blockSequence.getAndIncrement()), piece));
        }
        return blocks;
    }

    /** Returns the batch times whose recovered allocations are still to be re-run (tests and the UI). */
    public Set<Time> recoveredBatches() {
        return Set.copyOf(recoveredBatches);
    }

    /** Returns the blocks of stream {@code streamId} in batch {@code time} (none if nothing was stored). */
    public Allocation blocksOf(int streamId, Time time) {
        Map<Time, Allocation> byTime = allocations.get(streamId);
        Allocation a = byTime == null ? null : byTime.get(time);
        return a != null ? a : new Allocation(List.of(), 0, List.of());
    }

    /** Returns the block store the blocks are read from. */
    public InputBlocks blockStore() {
        return blockStore;
    }

    /** The oldest batch the newest metadata checkpoint replays from; null before the first. */
    private volatile Time logsNeededFrom;

    /**
     * Drops the blocks of stream {@code streamId} in every batch up to and including {@code time}:
     * also those of batches no dataset was ever built for (a window whose slide is longer than
     * its length skips batches), which would otherwise stay in the block store forever. With the
     * log, then deletes the log segments nothing needs any more (see {@link #deleteLogsBefore}).
     */
    public void releaseUpTo(int streamId, Time time) {
        ConcurrentSkipListMap<Time, Allocation> byTime = allocations.get(streamId);
        if (byTime == null) {
            return;
        }
        Map<Time, Allocation> old = byTime.headMap(time, true);
        for (Allocation a : old.values()) {
            a.handles().forEach(handler::remove);
        }
        old.clear();
        // A recovered batch released without being allocated again (a stream forgot it first) is done with.
        recoveredBatches.headSet(time, true).clear();
        releasedUpTo.merge(streamId, time, (a, b) -> a.compareTo(b) >= 0 ? a : b);
        if (allocationLog != null && releasedUpTo.size() == supervisors.size()) {
            Time oldest = null;
            for (Time t : releasedUpTo.values()) {
                oldest = oldest == null || t.compareTo(oldest) < 0 ? t : oldest;
            }
            Time bound = oldest.plus(java.time.Duration.ofMillis(1));
            Time checkpointNeeds = logsNeededFrom;
            deleteLogsBefore(checkpointNeeds != null && checkpointNeeds.compareTo(bound) < 0 ? checkpointNeeds : bound);
        }
    }

    /**
     * Keeps the logs of batches from {@code time} on even once they are released: the newest
     * metadata checkpoint replays them at recovery (called after each metadata checkpoint write).
     */
    public void retainLogsFrom(Time time) {
        logsNeededFrom = time;
    }

    /**
     * Deletes the log segments that neither a batch at or after {@code oldestNeeded} (the oldest
     * batch any pending batch, window or state still needs) nor a not-yet-allocated block needs.
     * An allocation record is kept as long as any block it names may still be in the block log, so
     * recovery never takes an allocated block for an unallocated one.
     */
    public synchronized void deleteLogsBefore(Time oldestNeeded) {
        if (allocationLog == null) {
            return;
        }
        WalPosition firstBlock = null;
        for (List<AllocationLog.Entry> entries : logged.tailMap(oldestNeeded, true).values()) {
            for (AllocationLog.Entry e : entries) {
                firstBlock = min(firstBlock, firstPosition(e.blocks()));
            }
        }
        for (ReceiverSupervisor<?> s : supervisors.values()) {
            firstBlock = min(firstBlock, s.firstLoggedPosition());
        }
        if (firstBlock == null) {
            firstBlock = new WalPosition(blockLog.openSegment(), 0);
        }
        int blocks = blockLog.deleteBefore(firstBlock);
        WalPosition firstAllocation = null;
        for (var it = logged.entrySet().iterator(); it.hasNext(); ) {
            var byTime = it.next();
            boolean needed = byTime.getKey().compareTo(oldestNeeded) >= 0;
            for (AllocationLog.Entry e : byTime.getValue()) {
                if (needed || lastSegment(e.blocks()) >= firstBlock.segment()) {
                    needed = true;
                    firstAllocation = min(firstAllocation, e.position());
                }
            }
            if (!needed) {
                it.remove();
            }
        }
        // No allocation needed: every closed segment of the allocation log may go.
        int allocationSegments = allocationLog.deleteBefore(firstAllocation != null ? firstAllocation
                : new WalPosition(Long.MAX_VALUE, 0));
        if (blocks + allocationSegments > 0) {
            log.debug("deleted {} block and {} allocation log segment(s) before batch {}", blocks, allocationSegments,
                    oldestNeeded.millis());
        }
    }

    private static WalPosition min(WalPosition a, WalPosition b) {
        return a == null ? b : b == null ? a : a.compareTo(b) <= 0 ? a : b;
    }

    private static WalPosition firstPosition(List<ReceivedBlockHandle.Logged> blocks) {
        WalPosition first = null;
        for (ReceivedBlockHandle.Logged b : blocks) {
            first = min(first, b.position());
        }
        return first;
    }

    private static long lastSegment(List<ReceivedBlockHandle.Logged> blocks) {
        long last = -1;
        for (ReceivedBlockHandle.Logged b : blocks) {
            last = Math.max(last, b.position().segment());
        }
        return last;
    }

    /**
     * Rebuilds, from the logs, what a crashed run left: every batch after {@code lastCompleted}
     * gets its logged allocation again (its blocks read back from the block log into the block
     * store, so {@link #blocksOf} answers as before the crash), and every logged block that no
     * batch was given goes to the next batch allocated. Call after the graph is defined and
     * before start. A torn tail of a log (a crash mid-write) is skipped and reported (WARN and in
     * the result); damage inside a log refuses with the file and offset.
     *
     * @throws IllegalStateException if the write-ahead log is off
     * @throws dev.sluice.streaming.wal.WalCorruptionException if a log is damaged before its end
     */
    private WalReader reader(String sub) {
        return WalReader.open(logDir + "/" + sub, logConf, logOptions.maxRecordBytes());
    }

    public synchronized Recovered recover(Time lastCompleted) {
        checkNotNull(lastCompleted, "lastCompleted");
        checkState(logDir != null, "recover() needs the write-ahead log; it is on when a checkpoint directory is set");
        if (supervisors.isEmpty()) {
            return new Recovered(0, 0, 0, 0, 0, List.of());
        }
        // Read before opening: the new logs' first (empty) segments must not read as torn tails.
        AllocationLog.Contents contents = AllocationLog.readAll(reader(ALLOCATIONS_DIR));
        WalBlockHandler.Recovery all = WalBlockHandler.recoverAll(reader(BLOCKS_DIR));
        openLog();
        List<TornTail> torn = new ArrayList<>(contents.tornTails());
        torn.addAll(all.tornTails());
        Map<InputBlock, List<?>> logBlocks = new HashMap<>();
        for (WalBlockHandler.RecoveredBlock b : all.blocks()) {
            logBlocks.put(b.handle().id(), b.records());
        }
        Set<InputBlock> allocated = new HashSet<>();
        Set<Time> batches = new HashSet<>();
        int blocks = 0;
        long records = 0;
        for (AllocationLog.Entry e : contents.entries()) {
            e.blocks().forEach(b -> allocated.add(b.id()));
            logged.computeIfAbsent(e.time(), t -> new ArrayList<>()).add(e);
            if (e.time().compareTo(lastCompleted) <= 0 || !allocations.containsKey(e.streamId())) {
                continue;
            }
            for (ReceivedBlockHandle.Logged b : e.blocks()) {
                List<?> data = logBlocks.get(b.id());
                checkState(data != null, "the allocation of batch %s ms (stream %s) names block %s at %s, which is not "
                        + "in the block log %s/%s: the log lost a segment", e.time().millis(), e.streamId(),
                        b.id().name(), b.position(), logDir, BLOCKS_DIR);
                memory.restore(b.id(), data);
                records += b.records();
            }
            blocks += e.blocks().size();
            batches.add(e.time());
            allocations.get(e.streamId()).put(e.time(), Allocation.of(List.copyOf(e.blocks())));
        }
        int unallocated = 0;
        long unallocatedRecords = 0;
        long maxSequence = -1;
        Map<Integer, List<WalBlockHandler.RecoveredBlock>> pending = new HashMap<>();
        for (WalBlockHandler.RecoveredBlock b : all.blocks()) {
            maxSequence = Math.max(maxSequence, b.handle().id().sequence());
            if (!allocated.contains(b.handle().id()) && supervisors.containsKey(b.handle().id().streamId())) {
                pending.computeIfAbsent(b.handle().id().streamId(), s -> new ArrayList<>()).add(b);
                unallocated++;
                unallocatedRecords += b.records().size();
            }
        }
        for (var e : pending.entrySet()) {
            supervisors.get(e.getKey()).restoreLogged(e.getValue(), memory::restore);
        }
        for (InputBlock id : allocated) {
            maxSequence = Math.max(maxSequence, id.sequence());
        }
        blockSequence.set(Math.max(blockSequence.get(), maxSequence + 1));
        for (TornTail t : torn) {
            log.warn("receiver write-ahead log: torn tail skipped (crash mid-write): {} at offset {}, {} byte(s): {}",
                    t.path(), t.offset(), t.droppedBytes(), t.reason());
        }
        recoveredBatches.addAll(batches);
        Recovered r = new Recovered(batches.size(), blocks, records, unallocated, unallocatedRecords, torn);
        log.info("receiver write-ahead log: restored {} batch(es) after {} ms ({} block(s), {} record(s)); {} "
                + "unallocated block(s) ({} record(s)) go to the next batch", r.batches(), lastCompleted.millis(),
                r.blocks(), r.records(), unallocated, unallocatedRecords);
        return r;
    }
}
