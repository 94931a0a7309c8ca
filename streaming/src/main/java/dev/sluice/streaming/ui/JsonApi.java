package dev.sluice.streaming.ui;

import dev.sluice.streaming.ReceiverStatus;
import dev.sluice.streaming.metrics.BatchRecord;
import dev.sluice.streaming.metrics.InputMonitor;
import dev.sluice.streaming.metrics.PipelineView;
import dev.sluice.streaming.metrics.StreamingMetrics;
import java.time.Instant;
import java.util.List;
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
            batch(j, b);
            return j.toString();
        });
    }

    private void batch(Json j, BatchRecord b) {
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
                .field("firstFailureReason", b.error().orElse(null))
                .endObject();
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
                    .field("role", n.role().name()).field("stateful", n.stateful()).name("parents").beginArray();
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
        for (PipelineView.StateFigures f : metrics.state()) {
            j.beginObject().field("operatorId", f.operatorId()).field("name", f.name()).field("keys", f.keys())
                    .field("approxBytes", f.approxBytes())
                    .field("lastCheckpoint", f.lastCheckpointMs().map(JsonApi::iso).orElse(null)).endObject();
        }
        return j.endArray().toString();
    }

    static String iso(long millis) {
        return millis < 0 ? null : Instant.ofEpochMilli(millis).toString();
    }
}
