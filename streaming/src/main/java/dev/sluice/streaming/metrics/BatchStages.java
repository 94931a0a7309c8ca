package dev.sluice.streaming.metrics;

import dev.sluice.core.spi.StageReport;
import dev.sluice.streaming.dstream.DStreamGraph;
import dev.sluice.streaming.scheduler.BatchJobTag;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The stage reports of the batches in flight, by batch time (from the engine's stage observer,
 * on worker threads), until the batch completes and its {@link StageRecord}s go into the history.
 * Bounded: at most {@link #MAX_STAGES} stages a batch; a batch's reports are dropped when it
 * completes, and with it those of older batches that never completed.
 */
final class BatchStages {
    /** A batch keeps at most this many stages (a foreachBatch running many actions keeps the first ones). */
    static final int MAX_STAGES = 64;
    private static final int MAX_NAME_CHARS = 80;

    private final ConcurrentSkipListMap<Long, List<StageReport>> inFlight = new ConcurrentSkipListMap<>();
    private final DStreamGraph graph;

    /** Creates the collector of the stages of {@code graph}'s batches. */
    BatchStages(DStreamGraph graph) {
        this.graph = graph;
    }

    /**
     * Takes a stage report; those not tagged with a batch of this graph (jobs run outside the
     * stream, or by another context on the same engine) are ignored.
     */
    void onStage(StageReport report) {
        if (!(report.jobTag() instanceof BatchJobTag tag) || tag.graph() != graph) {
            return;
        }
        List<StageReport> stages = inFlight.computeIfAbsent(tag.batchTime(), t -> new ArrayList<>());
        synchronized (stages) {
            if (stages.size() < MAX_STAGES) {
                stages.add(report);
            }
        }
    }

    /**
     * Returns the stages of batch {@code time}, their operators from {@code owners} (dataset id to
     * operator id), and forgets them and those of every older batch.
     */
    List<StageRecord> complete(long time, Map<Integer, Integer> owners) {
        List<StageReport> reports = inFlight.remove(time);
        inFlight.headMap(time).clear();
        if (reports == null) {
            return List.of();
        }
        List<StageRecord> out = new ArrayList<>();
        synchronized (reports) {
            for (StageReport r : reports) {
                out.add(record(r, owners));
            }
        }
        return out;
    }

    private static StageRecord record(StageReport r, Map<Integer, Integer> owners) {
        BatchJobTag tag = (BatchJobTag) r.jobTag();
        List<Integer> operators = new ArrayList<>(4);
        for (Integer id : r.datasetIds()) {
            Integer op = owners.get(id);
            if (op != null && !operators.contains(op)) {
                operators.add(op);
            }
        }
        operators.sort(null);
        int kept = Math.min(r.datasetIds().size(), StageRecord.MAX_DATASETS);
        boolean all = kept == r.datasetIds().size();
        List<String> names = all ? r.datasetNames() : r.datasetNames().subList(0, kept);
        if (names.stream().anyMatch(n -> n.length() > MAX_NAME_CHARS)) {
            names = names.stream().map(BatchStages::shorten).toList();
        }
        return new StageRecord(r.jobId(), tag.outputIndex(), shorten(tag.output()), r.stageId(), r.shuffleMap(),
                r.parentStageIds(), operators, all ? r.datasetIds() : r.datasetIds().subList(0, kept), names, r.tasks(), r.attempts(),
                r.failedAttempts(),
                r.duration().toNanos() / 1e6, r.shuffleRecords(), r.succeeded());
    }

    private static String shorten(String s) {
        return s.length() <= MAX_NAME_CHARS ? s : s.substring(0, MAX_NAME_CHARS - 1) + "…";
    }
}
