package dev.sluice.streaming.ui;

import dev.sluice.streaming.ReceiverStatus;
import dev.sluice.streaming.metrics.BatchRecord;
import dev.sluice.streaming.metrics.CheckpointRecord;
import dev.sluice.streaming.metrics.InputMonitor;
import dev.sluice.streaming.metrics.PipelineView;
import dev.sluice.streaming.metrics.StageRecord;
import dev.sluice.streaming.metrics.StreamingMetrics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The JSON documents of {@code /api/v1}. Field names follow Spark's streaming REST API
 * ({@code /statistics}, {@code /receivers}, {@code /batches}) where the figure is the same;
 * Sluice's own figures (lag, backpressure, state) are added under their own names. Times are
 * ISO-8601 strings, batch ids are batch times in milliseconds, delays are milliseconds.
 */
final class JsonApi {
    private final StreamingMetrics metrics;

    JsonApi(StreamingMetrics metrics) {
        this.metrics = metrics;
    }

    String statistics() {
        List<BatchRecord> batches = metrics.history().retained();
        List<InputMonitor> inputs = metrics.inputs();
        long receivers = inputs.stream().filter(InputMonitor::isReceiver).count();
        long active = inputs.stream().filter(m -> m.isReceiver() && m.isActive()).count();
        double intervalSeconds = metrics.interval().toMillis() / 1000.0;
        Json j = new Json().beginObject()
                .field("startTime", iso(metrics.startMillis()))
                .field("batchDuration", metrics.interval().toMillis())
                .field("numReceivers", receivers)
                .field("numActiveReceivers", active)
                .field("numInactiveReceivers", receivers - active)
                .field("numTotalCompletedBatches", metrics.history().totalCompleted())
                .field("numRetainedCompletedBatches", batches.size())
                .field("numActiveBatches", metrics.history().pending().size())
                .field("numFailedBatches", metrics.history().totalFailed())
                .field("numProcessedRecords", metrics.history().totalRecords())
                .field("numReceivedRecords", metrics.history().totalRecords() + metrics.lagRecords())
                .field("avgInputRate", batches.stream().mapToLong(BatchRecord::inputRecords).average().orElse(Double.NaN)
                        / intervalSeconds);
        average(j, "avgSchedulingDelay", batches.stream().mapToDouble(BatchRecord::schedulingDelayMs));
        average(j, "avgProcessingTime", batches.stream().mapToDouble(BatchRecord::processingMs));
        average(j, "avgTotalDelay", batches.stream().mapToDouble(BatchRecord::totalDelayMs));
        Optional<String> behind = metrics.behindReason();
        return j.field("lagRecords", metrics.lagRecords())
                .field("secondsBehind", metrics.secondsBehind())
                .field("behind", behind.isPresent())
                .field("behindReason", behind.orElse(null))
                .endObject().toString();
    }

    private static void average(Json j, String name, java.util.stream.DoubleStream values) {
        j.field(name, values.average().orElse(Double.NaN));
    }

    String batches() {
        Json j = new Json().beginArray();
        List<BatchRecord> pending = metrics.history().pending();
        for (int i = pending.size() - 1; i >= 0; i--) {
            batch(j, pending.get(i));
        }
        List<BatchRecord> done = metrics.history().retained();
        for (int i = done.size() - 1; i >= 0; i--) {
            batch(j, done.get(i));
        }
        return j.endArray().toString();
    }

    Optional<String> batch(long time) {
        return metrics.history().find(time).map(b -> {
            Json j = new Json();
            batch(j, b, true);
            return j.toString();
        });
    }

    private void batch(Json j, BatchRecord b) {
        batch(j, b, false);
    }

    /** One batch; {@code withStages} adds its jobs and their stages (the single-batch document only). */
    private void batch(Json j, BatchRecord b, boolean withStages) {
        boolean done = b.status() == BatchRecord.Status.COMPLETED || b.status() == BatchRecord.Status.FAILED;
        j.beginObject()
                .field("batchId", b.batchTime())
                .field("batchTime", iso(b.batchTime()))
                .field("status", b.status().name())
                .field("batchDuration", metrics.interval().toMillis())
                .field("inputSize", b.inputRecords());
        j.name("inputSizeByStream").beginObject();
        for (InputMonitor m : metrics.inputs()) {
            j.field(Integer.toString(m.streamId()), b.inputByStream().getOrDefault(m.streamId(), 0L));
        }
        j.endObject();
        j.field("schedulingDelay", b.schedulingDelayMs() < 0 ? Double.NaN : b.schedulingDelayMs())
                .field("processingTime", b.processingMs() < 0 ? Double.NaN : b.processingMs())
                .field("totalDelay", b.totalDelayMs() < 0 ? Double.NaN : b.totalDelayMs())
                .field("numTotalOutputOps", b.numJobs())
                .field("numActiveOutputOps", done ? 0 : b.numJobs())
                .field("numFailedOutputOps", b.status() == BatchRecord.Status.FAILED ? 1 : 0)
                .field("firstFailureReason", b.error().orElse(null));
        if (b.oldestRecordMillis() >= 0) {
            j.field("oldestRecordTime", iso(b.oldestRecordMillis())).field("oldestRecordAge", b.oldestRecordAgeMs().get());
        } else {
            j.field("oldestRecordTime", (String) null).field("oldestRecordAge", Double.NaN);
        }
        if (withStages) {
            jobs(j, b.stages());
        }
        j.endObject();
    }

    /** {@code jobs}: each engine job of the batch (in the order its first stage ended) with its stages. */
    private static void jobs(Json j, List<StageRecord> stages) {
        Map<Integer, List<StageRecord>> byJob = new LinkedHashMap<>();
        for (StageRecord st : stages) {
            byJob.computeIfAbsent(st.jobId(), k -> new ArrayList<>()).add(st);
        }
        j.name("jobs").beginArray();
        byJob.forEach((jobId, list) -> {
            StageRecord first = list.get(0);
            j.beginObject().field("jobId", jobId).field("outputOpId", first.outputIndex())
                    .field("outputOp", first.output()).name("stages").beginArray();
            for (StageRecord st : list) {
                j.beginObject().field("stageId", st.stageId()).field("kind", st.kind())
                        .name("parentStageIds").beginArray();
                st.parentStageIds().forEach(j::value);
                j.endArray().name("operatorIds").beginArray();
                st.operatorIds().forEach(j::value);
                j.endArray().name("datasets").beginArray();
                st.datasets().forEach(j::value);
                j.endArray().field("numTasks", st.tasks()).field("numAttempts", st.attempts())
                        .field("numFailedAttempts", st.failedAttempts()).field("duration", st.durationMs())
                        .field("shuffleRecordsWritten", st.shuffleRecords() < 0 ? Double.NaN : st.shuffleRecords())
                        .field("shuffleBytesWritten", Double.NaN)
                        .field("status", st.succeeded() ? "SUCCEEDED" : "FAILED").endObject();
            }
            j.endArray().endObject();
        });
        j.endArray();
    }

    String receivers() {
        Json j = new Json().beginArray();
        for (InputMonitor m : metrics.inputs()) {
            Optional<ReceiverStatus> status = m.receiverStatus();
            j.beginObject()
                    .field("streamId", m.streamId())
                    .field("streamName", m.name())
                    .field("isReceiver", m.isReceiver())
                    .field("isActive", m.isActive())
                    .field("avgEventRate", m.rate())
                    .field("lastBatchRecords", m.lastRecords())
                    .field("bufferedRecords", m.buffered())
                    .field("recordsStored", status.map(ReceiverStatus::recordsStored).orElse(0L))
                    .field("recordsDropped", status.map(ReceiverStatus::recordsDropped).orElse(0L))
                    .field("restarts", status.map(ReceiverStatus::restarts).orElse(0L))
                    .field("errors", status.map(ReceiverStatus::errors).orElse(0L))
                    .field("quota", m.quota() == Long.MAX_VALUE ? Double.NaN : m.quota())
                    .field("blockedMsLastBatch", m.blockedMs())
                    .field("offeredRate", m.offeredRate())
                    .field("throttledBatches", m.throttledBatches())
                    .field("lastErrorTime", m.lastErrorMillis() < 0 ? null : iso(m.lastErrorMillis()))
                    .field("lastErrorMessage", m.lastError().orElse(null))
                    .endObject();
        }
        return j.endArray().toString();
    }

    String graph() {
        Json j = new Json().beginObject().name("nodes").beginArray();
        List<PipelineView.Node> nodes = metrics.view().nodes();
        for (PipelineView.Node n : nodes) {
            j.beginObject().field("id", n.id()).field("name", n.name()).field("kind", n.kind())
                    .field("role", n.role().name()).field("stateful", n.stateful()).field("uid", n.uid().isEmpty() ? null : n.uid())
                    .name("parents").beginArray();
            n.parents().forEach(j::value);
            j.endArray().endObject();
        }
        j.endArray().name("edges").beginArray();
        for (PipelineView.Node n : nodes) {
            for (int parent : n.parents()) {
                j.beginObject().field("from", parent).field("to", n.id()).endObject();
            }
        }
        return j.endArray().endObject().toString();
    }

    String operators() {
        Json j = new Json().beginArray();
        Map<Integer, String> uids = new HashMap<>();
        metrics.view().nodes().forEach(n -> uids.put(n.id(), n.uid()));
        for (PipelineView.StateFigures f : metrics.state()) {
            String uid = uids.getOrDefault(f.operatorId(), "");
            Optional<CheckpointRecord> last = uid.isEmpty() ? Optional.empty() : metrics.lastCheckpoint(uid);
            Optional<Long> lastTime = last.map(CheckpointRecord::batchTime).or(f::lastCheckpointMs);
            j.beginObject().field("operatorId", f.operatorId()).field("name", f.name()).field("uid", uid)
                    .field("keys", f.keys()).field("approxBytes", f.approxBytes())
                    .field("lastCheckpoint", lastTime.map(JsonApi::iso).orElse(null))
                    .field("lastCheckpointBatch", lastTime.isPresent() ? lastTime.get() : Double.NaN);
            checkpointFields(j, last);
            j.endObject();
        }
        return j.endArray().toString();
    }

    /** The latest checkpoint write of every operator that wrote one, and of the metadata ({@code uid} ""). */
    String checkpoints() {
        Json j = new Json().beginArray();
        for (CheckpointRecord c : metrics.lastCheckpoints()) {
            j.beginObject().field("uid", c.uid()).field("batchTime", iso(c.batchTime())).field("batchId", c.batchTime());
            checkpointFields(j, Optional.of(c));
            j.field("files", c.files()).field("keys", c.keys()).endObject();
        }
        return j.endArray().toString();
    }

    private static void checkpointFields(Json j, Optional<CheckpointRecord> c) {
        j.field("lastCheckpointKind", c.map(CheckpointRecord::kind).orElse(null))
                .field("lastCheckpointBytes", c.isPresent() ? c.get().bytes() : Double.NaN)
                .field("lastCheckpointDuration", c.isPresent() ? c.get().durationMs() : Double.NaN)
                .field("lastCheckpointError", c.flatMap(CheckpointRecord::error).orElse(null));
    }

    static String iso(long millis) {
        return millis < 0 ? null : Instant.ofEpochMilli(millis).toString();
    }
}
