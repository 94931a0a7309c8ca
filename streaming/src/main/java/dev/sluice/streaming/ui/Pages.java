package dev.sluice.streaming.ui;

import dev.sluice.streaming.ReceiverStatus;
import dev.sluice.streaming.metrics.BatchRecord;
import dev.sluice.streaming.metrics.CheckpointRecord;
import dev.sluice.streaming.metrics.InputMonitor;
import dev.sluice.streaming.metrics.PipelineView;
import dev.sluice.streaming.metrics.StageRecord;
import dev.sluice.streaming.metrics.StreamingMetrics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** The HTML pages: batches (front page), inputs, state, pipeline graph and one batch. */
final class Pages {
    /** The table of recent batches shows at most this many rows (the charts show every retained batch). */
    private static final int TABLE_ROWS = 100;

    private final StreamingMetrics metrics;

    Pages(StreamingMetrics metrics) {
        this.metrics = metrics;
    }

    String batches() {
        List<BatchRecord> done = metrics.history().retained();
        int n = done.size();
        double[] rate = new double[n];
        double[] scheduling = new double[n];
        double[] processing = new double[n];
        double[] total = new double[n];
        double seconds = metrics.interval().toMillis() / 1000.0;
        for (int i = 0; i < n; i++) {
            BatchRecord b = done.get(i);
            rate[i] = b.inputRecords() / seconds;
            scheduling[i] = b.schedulingDelayMs();
            processing[i] = b.processingMs();
            total[i] = b.totalDelayMs();
        }
        StringBuilder body = new StringBuilder();
        body.append("<h1>Streaming batches</h1>").append(status());
        body.append("<div class=\"charts\">");
        body.append(Charts.line("chart-input-rate", "Input rate", "records/s", rate));
        body.append(Charts.line("chart-scheduling-delay", "Scheduling delay", "ms", scheduling));
        body.append(Charts.line("chart-processing-time", "Processing time", "ms", processing));
        body.append(Charts.line("chart-total-delay", "Total delay", "ms", total)).append("</div>");
        body.append("<h2>Recent batches</h2><table id=\"batches\"><tr><th>batch time</th><th>records</th>"
                + "<th>scheduling delay ms</th><th>processing ms</th><th>total delay ms</th><th>outcome</th>"
                + "<th>error</th></tr>");
        for (BatchRecord b : metrics.history().pending()) {
            row(body, b);
        }
        for (int i = n - 1; i >= Math.max(0, n - TABLE_ROWS); i--) {
            row(body, done.get(i));
        }
        return Html.page("Batches", body.append("</table>").toString());
    }

    private String status() {
        Optional<String> behind = metrics.behindReason();
        String banner = behind.map(r -> "<div id=\"status\" class=\"banner behind\"><b>The stream is behind.</b> "
                + Html.escape(r) + "</div>").orElse("<div id=\"status\" class=\"banner ok\">The stream keeps up.</div>");
        return banner + String.format(java.util.Locale.ROOT, "<dl><dt>batch interval</dt><dd>%d ms</dd><dt>completed "
                        + "batches</dt><dd>%d (%d failed, last %d retained)</dd><dt>records processed</dt><dd>%d</dd>"
                        + "<dt>lag</dt><dd id=\"lag\">%d records, %.1f s behind</dd></dl>",
                metrics.interval().toMillis(), metrics.history().totalCompleted(), metrics.history().totalFailed(),
                metrics.history().retained().size(), metrics.history().totalRecords(), metrics.lagRecords(),
                metrics.secondsBehind());
    }

    private static void row(StringBuilder body, BatchRecord b) {
        body.append("<tr class=\"").append(b.status().name().toLowerCase(java.util.Locale.ROOT))
                .append("\" data-batch=\"").append(b.batchTime()).append("\"><td><a href=\"/batches/")
                .append(b.batchTime()).append("\">").append(b.batchTime()).append("</a></td><td>")
                .append(b.inputRecords()).append("</td><td>").append(ms(b.schedulingDelayMs())).append("</td><td>")
                .append(ms(b.processingMs())).append("</td><td>").append(ms(b.totalDelayMs())).append("</td><td>")
                .append(b.status()).append("</td><td class=\"text error\">")
                .append(Html.escape(b.error().orElse(""))).append("</td></tr>");
    }

    private static String ms(double v) {
        return v < 0 ? "–" : String.format(java.util.Locale.ROOT, "%.2f", v);
    }

    Optional<String> batch(long time) {
        return metrics.history().find(time).map(b -> {
            StringBuilder body = new StringBuilder("<h1>Batch ").append(time).append("</h1><dl>");
            item(body, "status", b.status().name());
            item(body, "input records", Long.toString(b.inputRecords()));
            item(body, "submitted at", Long.toString(b.submissionMillis()));
            item(body, "scheduling delay", ms(b.schedulingDelayMs()) + " ms");
            item(body, "processing time", ms(b.processingMs()) + " ms");
            item(body, "total delay", ms(b.totalDelayMs()) + " ms");
            item(body, "output operations", Integer.toString(b.numJobs()));
            item(body, "oldest record age", b.oldestRecordAgeMs().map(a -> a + " ms (stored at " + b.oldestRecordMillis()
                    + ")").orElse("not known (no record, or inputs that do not know when their records came in)"));
            body.append("</dl><h2>Input per stream</h2><table><tr><th>stream</th><th>records</th></tr>");
            for (InputMonitor m : metrics.inputs()) {
                body.append("<tr><td class=\"text\">").append(Html.escape(m.name())).append(" (").append(m.streamId())
                        .append(")</td><td>").append(b.inputByStream().getOrDefault(m.streamId(), 0L)).append("</td></tr>");
            }
            body.append("</table>");
            b.error().ifPresent(e -> body.append("<h2>Error</h2><pre id=\"error\">").append(Html.escape(e))
                    .append("</pre>"));
            stages(body, b);
            return Html.page("Batch " + time, body.toString());
        });
    }

    /** The batch's jobs and their stages, and the pipeline with each operator's stages. */
    private void stages(StringBuilder body, BatchRecord b) {
        List<PipelineView.Node> nodes = metrics.view().nodes();
        Map<Integer, String> names = new HashMap<>();
        nodes.forEach(n -> names.put(n.id(), n.name()));
        Map<Integer, List<Integer>> stagesOf = new TreeMap<>();
        for (StageRecord st : b.stages()) {
            for (int op : st.operatorIds()) {
                stagesOf.computeIfAbsent(op, k -> new ArrayList<>()).add(st.stageId());
            }
        }
        body.append("<h2>Jobs and stages</h2>");
        if (b.stages().isEmpty()) {
            body.append("<p id=\"no-stages\">").append(b.status() == BatchRecord.Status.COMPLETED
                    || b.status() == BatchRecord.Status.FAILED ? "This batch ran no stage." : "Stages are shown once "
                    + "the batch has completed.").append("</p>");
            return;
        }
        body.append("<table id=\"stages\"><tr><th>job</th><th>output</th><th>stage</th><th>kind</th><th>reads stages</th>"
                + "<th>operators</th><th>datasets</th><th>tasks</th><th>attempts</th><th>failed attempts</th>"
                + "<th>duration ms</th><th>records shuffled</th><th>outcome</th></tr>");
        for (StageRecord st : b.stages()) {
            StringBuilder ops = new StringBuilder();
            for (int op : st.operatorIds()) {
                ops.append(ops.length() == 0 ? "" : ", ").append(Html.escape(names.getOrDefault(op, "?"))).append(" (")
                        .append(op).append(")");
            }
            body.append("<tr class=\"stage ").append(st.kind()).append(st.succeeded() ? "" : " failed")
                    .append("\" id=\"stage-").append(st.stageId()).append("\" data-stage=\"").append(st.stageId())
                    .append("\" data-kind=\"").append(st.kind()).append("\" data-operators=\"")
                    .append(st.operatorIds().stream().map(String::valueOf).collect(Collectors.joining(" ")))
                    .append("\"><td>").append(st.jobId()).append("</td><td class=\"text\">")
                    .append(st.outputIndex() < 0 ? "(building the batch)" : "#" + st.outputIndex() + " "
                            + Html.escape(st.output()))
                    .append("</td><td>").append(st.stageId()).append("</td><td class=\"text\">").append(st.kind())
                    .append("</td><td>").append(st.parentStageIds().stream().map(String::valueOf)
                            .collect(Collectors.joining(", "))).append("</td><td class=\"text operators\">").append(ops)
                    .append("</td><td class=\"text\">").append(Html.escape(String.join(", ", st.datasets())))
                    .append("</td><td>").append(st.tasks()).append("</td><td>").append(st.attempts()).append("</td><td>")
                    .append(st.failedAttempts()).append("</td><td>").append(ms(st.durationMs())).append("</td><td>")
                    .append(st.shuffleRecords() < 0 ? "–" : Long.toString(st.shuffleRecords())).append("</td><td>")
                    .append(st.succeeded() ? "succeeded" : "failed").append("</td></tr>");
        }
        body.append("</table><h2>Pipeline, with the stages of this batch</h2><div class=\"graph\">")
                .append(Charts.graph(nodes, stagesOf)).append("</div><table id=\"operator-stages\"><tr><th>operator</th>"
                        + "<th>stages</th></tr>");
        for (PipelineView.Node n : nodes) {
            List<Integer> ids = stagesOf.getOrDefault(n.id(), List.of());
            body.append("<tr data-operator=\"").append(n.id()).append("\"><td class=\"text\">")
                    .append(Html.escape(n.name())).append(" (").append(n.id()).append(")</td><td class=\"text\">");
            for (int id : ids) {
                body.append("<a href=\"#stage-").append(id).append("\">stage ").append(id).append("</a> ");
            }
            body.append(ids.isEmpty() ? "–" : "").append("</td></tr>");
        }
        body.append("</table>");
    }

    private static void item(StringBuilder body, String name, String value) {
        body.append("<dt>").append(Html.escape(name)).append("</dt><dd>").append(Html.escape(value)).append("</dd>");
    }

    String receivers() {
        StringBuilder body = new StringBuilder("<h1>Inputs and receivers</h1><table id=\"receivers\"><tr><th>stream</th>"
                + "<th>status</th><th>records/s</th><th>last batch</th><th>buffered (lag)</th><th>quota / batch</th>"
                + "<th>blocked ms last batch</th><th>offered records/s (est.)</th><th>throttled batches</th>"
                + "<th>restarts</th><th>last error</th></tr>");
        for (InputMonitor m : metrics.inputs()) {
            long restarts = m.receiverStatus().map(ReceiverStatus::restarts).orElse(0L);
            String state = !m.isReceiver() ? "input" : m.isActive() ? "ACTIVE" : "STOPPED";
            body.append("<tr data-stream=\"").append(m.streamId()).append("\"><td class=\"text\">")
                    .append(Html.escape(m.name())).append(" (").append(m.streamId()).append(")</td><td>").append(state)
                    .append("</td><td>").append(Charts.format(m.rate())).append("</td><td>").append(m.lastRecords())
                    .append("</td><td>").append(m.buffered()).append("</td><td>")
                    .append(m.quota() == Long.MAX_VALUE ? "unlimited" : Long.toString(m.quota())).append("</td><td>")
                    .append(Charts.format(m.blockedMs())).append("</td><td>").append(Charts.format(m.offeredRate()))
                    .append("</td><td>").append(m.throttledBatches()).append("</td><td>").append(restarts)
                    .append("</td><td class=\"text\">").append(Html.escape(m.lastError().orElse(""))).append("</td></tr>");
        }
        return Html.page("Inputs", body.append("</table>").toString());
    }

    String state() {
        StringBuilder body = new StringBuilder("<h1>Stateful operators</h1><table id=\"state\"><tr><th>operator</th>"
                + "<th>uid</th><th>keys</th><th>approx. bytes</th><th>last checkpoint (batch)</th><th>kind</th>"
                + "<th>bytes written</th><th>write ms</th><th>checkpoint error</th></tr>");
        Map<Integer, String> uids = new HashMap<>();
        metrics.view().nodes().forEach(n -> uids.put(n.id(), n.uid()));
        for (PipelineView.StateFigures f : metrics.state()) {
            String uid = uids.getOrDefault(f.operatorId(), "");
            Optional<CheckpointRecord> last = uid.isEmpty() ? Optional.empty() : metrics.lastCheckpoint(uid);
            body.append("<tr data-operator=\"").append(f.operatorId()).append("\" data-uid=\"").append(Html.escape(uid))
                    .append("\"><td class=\"text\">").append(Html.escape(f.name())).append(" (").append(f.operatorId())
                    .append(")</td><td class=\"text\">").append(Html.escape(uid)).append("</td><td>").append(f.keys())
                    .append("</td><td>").append(f.approxBytes()).append("</td>");
            if (last.isPresent()) {
                checkpointCells(body, last.get());
            } else {
                body.append("<td class=\"last-checkpoint\">").append(f.lastCheckpointMs().map(String::valueOf)
                        .orElse("none yet")).append("</td><td></td><td></td><td></td><td></td>");
            }
            body.append("</tr>");
        }
        if (metrics.view().nodes().stream().noneMatch(PipelineView.Node::stateful)) {
            body.append("<tr><td class=\"text\" colspan=\"9\">This pipeline has no stateful operator.</td></tr>");
        }
        body.append("</table>");
        Optional<CheckpointRecord> metadata = metrics.lastCheckpoint("");
        body.append("<h2>Metadata checkpoint</h2><table id=\"metadata-checkpoint\"><tr><th>last checkpoint (batch)</th>"
                + "<th>kind</th><th>bytes written</th><th>write ms</th><th>checkpoint error</th></tr><tr>");
        if (metadata.isPresent()) {
            checkpointCells(body, metadata.get());
        } else {
            body.append("<td class=\"last-checkpoint\" colspan=\"5\">none yet (written after every batch when the "
                    + "context has a checkpoint directory)</td>");
        }
        return Html.page("State", body.append("</tr></table>").toString());
    }

    private static void checkpointCells(StringBuilder body, CheckpointRecord c) {
        body.append("<td class=\"last-checkpoint\">").append(c.batchTime()).append("</td><td class=\"text "
                + "checkpoint-kind\">").append(c.kind()).append("</td><td class=\"checkpoint-bytes\">").append(c.bytes())
                .append("</td><td>").append(ms(c.durationMs())).append("</td><td class=\"text error\">")
                .append(Html.escape(c.error().orElse(""))).append("</td>");
    }

    String graph() {
        List<PipelineView.Node> nodes = metrics.view().nodes();
        StringBuilder body = new StringBuilder("<h1>Pipeline</h1><div class=\"graph\">").append(Charts.graph(nodes))
                .append("</div>");
        body.append("<h2>Operators</h2><table id=\"operators\"><tr><th>id</th><th>name</th><th>kind</th><th>role</th>"
                + "<th>reads</th></tr>");
        for (PipelineView.Node n : nodes) {
            body.append("<tr><td>").append(n.id()).append("</td><td class=\"text\">").append(Html.escape(n.name()))
                    .append("</td><td class=\"text\">").append(Html.escape(n.kind())).append("</td><td class=\"text\">")
                    .append(n.role()).append("</td><td class=\"text\">").append(n.parents()).append("</td></tr>");
        }
        return Html.page("Pipeline", body.append("</table>").toString());
    }
}
