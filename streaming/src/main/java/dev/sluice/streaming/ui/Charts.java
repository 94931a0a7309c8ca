package dev.sluice.streaming.ui;

import dev.sluice.streaming.metrics.PipelineView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Server-rendered SVG: a line chart with one point per retained batch, and the pipeline graph in
 * layers (a node's layer is one more than its deepest parent's; inputs on the left).
 */
final class Charts {
    private static final int WIDTH = 640;
    private static final int HEIGHT = 140;
    private static final int PAD = 36;
    private static final int NODE_W = 160;
    private static final int NODE_H = 46;
    private static final int GAP_X = 36;
    private static final int GAP_Y = 22;

    private Charts() {
    }

    /** A line chart of {@code values} (one per batch, oldest first), titled, with {@code unit}. */
    static String line(String id, String title, String unit, double[] values) {
        double max = 0;
        for (double v : values) {
            max = Math.max(max, v);
        }
        double top = max <= 0 ? 1 : max;
        StringBuilder points = new StringBuilder(values.length * 12);
        int n = values.length;
        for (int i = 0; i < n; i++) {
            double x = PAD + (n == 1 ? (WIDTH - 2.0 * PAD) / 2 : i * (WIDTH - 2.0 * PAD) / (n - 1));
            double y = HEIGHT - PAD / 2.0 - Math.max(0, values[i]) / top * (HEIGHT - PAD);
            if (i > 0) {
                points.append(' ');
            }
            points.append(String.format(Locale.ROOT, "%.1f,%.1f", x, y));
        }
        return String.format(Locale.ROOT, "<figure class=\"chart\"><figcaption>%s <small>(max %s %s, %d batches)"
                        + "</small></figcaption><svg id=\"%s\" class=\"timeline\" width=\"%d\" height=\"%d\" "
                        + "viewBox=\"0 0 %d %d\" data-points=\"%d\" role=\"img\" aria-label=\"%s\">"
                        + "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"axis\"/>"
                        + "<text x=\"2\" y=\"14\" class=\"label\">%s</text><text x=\"2\" y=\"%d\" class=\"label\">0</text>"
                        + "<polyline class=\"series\" points=\"%s\"/></svg></figure>",
                Html.escape(title), format(max), Html.escape(unit), n, id, WIDTH, HEIGHT, WIDTH, HEIGHT, n,
                Html.escape(title), PAD, HEIGHT - PAD / 2, WIDTH - PAD, HEIGHT - PAD / 2, format(max), HEIGHT - PAD / 2,
                points);
    }

    static String format(double v) {
        return v >= 100 || v == Math.rint(v) ? String.format(Locale.ROOT, "%,.0f", v)
                : String.format(Locale.ROOT, "%.2f", v);
    }

    /** The pipeline as boxes and arrows; every node carries its id and kind as data attributes. */
    static String graph(List<PipelineView.Node> nodes) {
        return graph(nodes, Map.of());
    }

    /**
     * The pipeline as boxes and arrows, each operator with the ids of the stages (of one batch)
     * that computed it, {@code stagesOf} by operator id: a line under its kind and a
     * {@code data-stages} attribute. (The links to the stages are HTML, under the graph: an SVG
     * link's {@code href} is no string to scripts that check a page's links.)
     */
    static String graph(List<PipelineView.Node> nodes, Map<Integer, List<Integer>> stagesOf) {
        int nodeH = stagesOf.isEmpty() ? NODE_H : NODE_H + 16;
        Map<Integer, Integer> layer = new HashMap<>();
        List<List<PipelineView.Node>> layers = new ArrayList<>();
        for (PipelineView.Node n : nodes) { // parents come first
            int l = 0;
            for (int p : n.parents()) {
                l = Math.max(l, layer.getOrDefault(p, 0) + 1);
            }
            layer.put(n.id(), l);
            while (layers.size() <= l) {
                layers.add(new ArrayList<>());
            }
            layers.get(l).add(n);
        }
        Map<Integer, int[]> pos = new HashMap<>();
        int rows = 1;
        for (int l = 0; l < layers.size(); l++) {
            List<PipelineView.Node> col = layers.get(l);
            rows = Math.max(rows, col.size());
            for (int r = 0; r < col.size(); r++) {
                pos.put(col.get(r).id(), new int[] {10 + l * (NODE_W + GAP_X), 10 + r * (nodeH + GAP_Y)});
            }
        }
        int width = 20 + layers.size() * (NODE_W + GAP_X);
        int height = 20 + rows * (nodeH + GAP_Y);
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg id=\"pipeline\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                + "role=\"img\" aria-label=\"pipeline graph\"><defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" "
                + "refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\">"
                + "<path d=\"M 0 0 L 10 5 L 0 10 z\"/></marker></defs>", width, height, width, height));
        for (PipelineView.Node n : nodes) {
            int[] to = pos.get(n.id());
            for (int p : n.parents()) {
                int[] from = pos.get(p);
                if (from != null) {
                    svg.append(String.format(Locale.ROOT, "<line class=\"edge\" data-from=\"%d\" data-to=\"%d\" "
                            + "x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" marker-end=\"url(#arrow)\"/>", p, n.id(),
                            from[0] + NODE_W, from[1] + nodeH / 2, to[0], to[1] + nodeH / 2));
                }
            }
        }
        for (PipelineView.Node n : nodes) {
            int[] at = pos.get(n.id());
            String cls = n.role().name().toLowerCase(Locale.ROOT) + (n.stateful() ? " stateful" : "");
            List<Integer> stages = stagesOf.getOrDefault(n.id(), List.of());
            String stageIds = stages.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(" "));
            svg.append(String.format(Locale.ROOT, "<g class=\"node %s\" data-id=\"%d\" data-kind=\"%s\" "
                            + "data-name=\"%s\" data-stages=\"%s\"><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
                            + "rx=\"6\"/><text x=\"%d\" y=\"%d\" class=\"name\">%s</text>"
                            + "<text x=\"%d\" y=\"%d\" class=\"kind\">#%d %s</text>",
                    cls, n.id(), Html.escape(n.kind()), Html.escape(n.name()), stageIds, at[0], at[1], NODE_W, nodeH,
                    at[0] + 8, at[1] + 19, Html.escape(Html.shorten(n.name(), 22)), at[0] + 8, at[1] + 37, n.id(),
                    Html.escape(n.kind())));
            if (!stagesOf.isEmpty()) {
                svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"stages\">%s</text>", at[0] + 8,
                        at[1] + 54, stages.isEmpty() ? "no stage" : "stage " + stageIds.replace(" ", ", ")));
            }
            svg.append(String.format(Locale.ROOT, "<title>%s (stream %d, %s)</title></g>", Html.escape(n.name()), n.id(),
                    Html.escape(n.kind())));

        }
        return svg.append("</svg>").toString();
    }
}
