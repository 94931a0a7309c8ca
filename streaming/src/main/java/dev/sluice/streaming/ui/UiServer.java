package dev.sluice.streaming.ui;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sluice.streaming.metrics.StreamingMetrics;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server of the UI, on the JDK's {@code com.sun.net.httpserver}: GET only, every page
 * built on request from what the metrics keep. Every response forbids loading anything from
 * another origin ({@code Content-Security-Policy}), so a page can never make a request outside
 * the program.
 *
 * <p>Why the JDK's server: it ships with every JDK 17 (module {@code jdk.httpserver}), needs no
 * dependency, and a UI that serves a few requests a second needs nothing more; Jetty or Netty
 * would add megabytes and their own thread pools to every streaming program.
 *
 * <p>Threading: requests run on two daemon threads of the server's own; the server is started
 * from a daemon thread because its dispatcher thread inherits that, so a context someone forgot
 * to stop never keeps the JVM alive.
 */
public final class UiServer {
    private static final Logger log = LoggerFactory.getLogger(UiServer.class);
    /** How many ports after the requested one are tried when it is taken. */
    private static final int PORT_ATTEMPTS = 32;
    private static final String CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
            + "form-action 'none'; frame-ancestors 'none'";

    private final HttpServer server;
    private final ExecutorService threads;
    private final JsonApi api;
    private final Pages pages;
    private final Supplier<String> prometheusText;

    private UiServer(HttpServer server, StreamingMetrics metrics, Supplier<String> prometheusText) {
        this.server = server;
        this.api = new JsonApi(metrics);
        this.pages = new Pages(metrics);
        this.prometheusText = prometheusText;
        AtomicInteger n = new AtomicInteger();
        this.threads = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "sluice-ui-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(threads);
        server.createContext("/", this::handle);
    }

    /**
     * Starts a server on {@code bindAddress}: on {@code port}, or if taken the next free one of
     * the following {@value #PORT_ATTEMPTS}, else any free one; port 0 takes any free port.
     *
     * @throws java.io.UncheckedIOException if no port could be bound
     */
    public static UiServer start(String bindAddress, int port, StreamingMetrics metrics, Supplier<String> prometheusText) {
        HttpServer server = bind(bindAddress, port);
        UiServer ui = new UiServer(server, metrics, prometheusText);
        Thread starter = new Thread(server::start, "sluice-ui-start");
        starter.setDaemon(true);
        starter.start();
        try {
            starter.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return ui;
    }

    private static HttpServer bind(String bindAddress, int port) {
        int attempts = port == 0 ? 1 : PORT_ATTEMPTS;
        IOException last = null;
        for (int i = 0; i < attempts && port + i < 65536; i++) {
            try {
                return HttpServer.create(new InetSocketAddress(bindAddress, port == 0 ? 0 : port + i), 16);
            } catch (BindException e) {
                last = e;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot start the web UI on " + bindAddress + ":" + port, e);
            }
        }
        log.warn("web UI: ports {} to {} on {} are all taken ({}); using any free port", port, port + attempts - 1,
                bindAddress, String.valueOf(last));
        try {
            return HttpServer.create(new InetSocketAddress(bindAddress, 0), 16);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot start the web UI on " + bindAddress + "; turn it off with "
                    + "StreamingContext.builder().webUi(false)", e);
        }
    }

    /** Returns the address of the front page, e.g. {@code http://127.0.0.1:4040/}. */
    public URI url() {
        InetSocketAddress a = server.getAddress();
        String host = a.getAddress().getHostAddress();
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort() + "/");
    }

    /** Stops the server (waiting at most a second for requests in progress). */
    public void stop() {
        server.stop(1);
        threads.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                send(exchange, 405, "text/plain", "only GET is served");
                return;
            }
            route(exchange, exchange.getRequestURI().getPath());
        } catch (RuntimeException e) {
            log.warn("web UI: {} failed", exchange.getRequestURI(), e);
        }
    }

    private void route(HttpExchange exchange, String path) throws IOException {
        String p = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        switch (p) {
            case "/" -> html(exchange, Optional.of(pages.batches()));
            case "/receivers" -> html(exchange, Optional.of(pages.receivers()));
            case "/state" -> html(exchange, Optional.of(pages.state()));
            case "/graph" -> html(exchange, Optional.of(pages.graph()));
            case "/api/v1/streaming/statistics" -> json(exchange, Optional.of(api.statistics()));
            case "/api/v1/streaming/batches" -> json(exchange, Optional.of(api.batches()));
            case "/api/v1/streaming/receivers" -> json(exchange, Optional.of(api.receivers()));
            case "/api/v1/streaming/operators" -> json(exchange, Optional.of(api.operators()));
            case "/api/v1/streaming/checkpoints" -> json(exchange, Optional.of(api.checkpoints()));
            case "/api/v1/graph" -> json(exchange, Optional.of(api.graph()));
            case "/metrics" -> send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", prometheusText.get());
            default -> routeWithId(exchange, p);
        }
    }

    private void routeWithId(HttpExchange exchange, String p) throws IOException {
        if (p.startsWith("/api/v1/streaming/batches/")) {
            Optional<Long> time = parse(p.substring("/api/v1/streaming/batches/".length()));
            json(exchange, time.flatMap(api::batch));
        } else if (p.startsWith("/batches/")) {
            html(exchange, parse(p.substring("/batches/".length())).flatMap(pages::batch));
        } else {
            html(exchange, Optional.empty());
        }
    }

    private static Optional<Long> parse(String id) {
        try {
            return Optional.of(Long.parseLong(id));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static void html(HttpExchange exchange, Optional<String> page) throws IOException {
        if (page.isPresent()) {
            send(exchange, 200, "text/html; charset=utf-8", page.get());
        } else {
            send(exchange, 404, "text/html; charset=utf-8", Html.page("Not found", "<h1>Not found</h1><p>"
                    + Html.escape(exchange.getRequestURI().getPath()) + " is not a page of this UI, or the batch is no "
                    + "longer retained.</p>"));
        }
    }

    private static void json(HttpExchange exchange, Optional<String> doc) throws IOException {
        if (doc.isPresent()) {
            send(exchange, 200, "application/json", doc.get());
        } else {
            send(exchange, 404, "application/json", "{\"error\":\"no such batch (it may no longer be retained)\"}");
        }
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.getResponseHeaders().set("Content-Security-Policy", CSP);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
