package dev.sluice.streaming.ui;

/** Escaping and the page frame shared by every page: inline style, navigation, no external resource. */
final class Html {
    private static final String STYLE = """
            body{font-family:system-ui,sans-serif;margin:0;color:#1d2733;background:#f7f8fa}
            header{background:#1d3557;color:#fff;padding:10px 20px;display:flex;gap:24px;align-items:center}
            header a{color:#fff;text-decoration:none}header b{font-size:1.2em}
            main{padding:16px 20px}h1{font-size:1.3em}table{border-collapse:collapse;background:#fff}
            td,th{border:1px solid #d0d5dc;padding:4px 8px;text-align:right;font-size:.9em}
            th{background:#e9edf2}td.text{text-align:left;white-space:pre-wrap;max-width:560px}
            tr.failed td{background:#fde8e8}.banner{padding:10px 14px;border-radius:6px;margin:8px 0}
            .behind{background:#fde8e8;border:1px solid #e63946}.ok{background:#e8f6ec;border:1px solid #2a9d8f}
            .charts{display:flex;flex-wrap:wrap;gap:8px}.graph{overflow-x:auto}
            figure.chart{margin:0;background:#fff;border:1px solid #d0d5dc;display:inline-block;padding:4px}
            figcaption{font-size:.9em}.axis{stroke:#999}.series{fill:none;stroke:#1d3557;stroke-width:1.5}
            .label{font-size:10px;fill:#555}.node rect{fill:#fff;stroke:#1d3557;stroke-width:1.5}
            .node.input rect{fill:#e8f1fb}.node.output rect{fill:#eef8ee}.node.stateful rect{stroke:#e76f51;stroke-width:2.5}
            .node .name{font-size:12px;font-weight:600}.node .kind{font-size:11px;fill:#555}
            .node .stages{font-size:11px;fill:#1d3557;font-weight:600}tr.stage:target td{background:#fff6d5}
            .edge{stroke:#555;stroke-width:1.3}dl{display:grid;grid-template-columns:max-content auto;gap:2px 12px}
            dt{font-weight:600}""";

    private Html() {
    }

    static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    static String shorten(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }

    /** A whole page: {@code title}, navigation, then {@code body}. */
    static String page(String title, String body) {
        return "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escape(title)
                + " · Sluice</title><style>" + STYLE + "</style></head><body><header><b>Sluice</b>"
                + "<a href=\"/\">Batches</a><a href=\"/receivers\">Inputs</a><a href=\"/state\">State</a>"
                + "<a href=\"/graph\">Pipeline</a><a href=\"/api/v1/streaming/statistics\">JSON</a>"
                + "<a href=\"/metrics\">Metrics</a></header><main>" + body + "</main></body></html>";
    }
}
