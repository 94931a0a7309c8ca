/**
 * The embedded web UI and JSON API of a running context: an HTTP server on the JDK's
 * {@code com.sun.net.httpserver}, HTML pages with server-rendered SVG charts and the pipeline
 * graph (no script, no external resource: the pages work offline), JSON shaped like Spark's
 * streaming REST API, and {@code /metrics} in Prometheus text. Reads what
 * {@link dev.sluice.streaming.metrics} keeps; holds nothing of its own.
 *
 * <p>Not API; may change.
 */
package dev.sluice.streaming.ui;
