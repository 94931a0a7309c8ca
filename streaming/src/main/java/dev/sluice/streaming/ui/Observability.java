package dev.sluice.streaming.ui;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.sluice.core.Engine;
import dev.sluice.core.spi.EngineServices;
import dev.sluice.streaming.Clock;
import dev.sluice.streaming.metrics.DStreamPipelineView;
import dev.sluice.streaming.metrics.StreamingMetrics;
import dev.sluice.streaming.scheduler.StreamingRuntime;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Metrics and web UI of one context, wired together: the user's registry (or a
 * {@code SimpleMeterRegistry}) gets every meter; with the UI on, a Prometheus registry gets them
 * too, for {@code /metrics} (unless the user's registry is a Prometheus one already).
 *
 * <p>Lifecycle: created with the context (its listener joins the bus first, so the metrics have
 * seen a batch before the test kit's own listener returns), started just before the first batch,
 * stopped with the context (server stopped, meters removed from the registry).
 */
public final class Observability {
    private static final Logger log = LoggerFactory.getLogger(Observability.class);

    /**
     * The settings of the builder.
     *
     * @param registry            where meters go
     * @param webUi               whether to serve the UI
     * @param bindAddress         the address to bind, loopback by default
     * @param port                the first port to try; 0 for any free port
     * @param retainedBatches     completed batches the UI keeps
     * @param throttleWarnBatches consecutive throttled batches after which one WARN is logged
     */
    public record Settings(MeterRegistry registry, boolean webUi, String bindAddress, int port, int retainedBatches,
                           int throttleWarnBatches) {
        public Settings {
            checkNotNull(registry, "meterRegistry");
            checkNotNull(bindAddress, "webUiBindAddress");
            checkArgument(port >= 0 && port < 65536, "webUiPort must be in 0..65535 (0: any free port), got %s", port);
            checkArgument(retainedBatches > 0, "retainedBatches must be > 0, got %s", retainedBatches);
            checkArgument(throttleWarnBatches > 0, "throttleWarningBatches must be > 0, got %s", throttleWarnBatches);
        }
    }

    private final Settings settings;
    private final CompositeMeterRegistry meters = new CompositeMeterRegistry();
    private final PrometheusMeterRegistry prometheus;
    private final StreamingMetrics metrics;
    private volatile UiServer server;
    private final AutoCloseable stageObservation;

    /** Creates the metrics of {@code runtime} and joins its listener bus; nothing is served yet. */
    public Observability(StreamingRuntime runtime, Engine engine, Clock clock, Duration interval, Settings settings) {
        this.settings = settings;
        meters.add(settings.registry());
        if (settings.registry() instanceof PrometheusMeterRegistry p) {
            prometheus = p;
        } else if (settings.webUi()) {
            prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            meters.add(prometheus);
        } else {
            prometheus = null;
        }
        DStreamPipelineView view = new DStreamPipelineView(runtime.graph(), EngineServices.of(engine));
        this.metrics = new StreamingMetrics(runtime, meters, view, clock, interval, settings.retainedBatches(),
                settings.throttleWarnBatches());
        runtime.bus().add(metrics);
        runtime.observeInputs(metrics::onInputs);
        runtime.receiverTracker().observeLogFlushes((log, nanos, bytes, records) -> metrics.onWalFlush(log, nanos, bytes));
        this.stageObservation = EngineServices.of(engine).observeStages(metrics::onStage);
    }

    /** Registers the meters and starts the UI server; {@code zeroMillis} is the zero batch's time. */
    public void start(long zeroMillis) {
        metrics.start(zeroMillis);
        if (settings.webUi()) {
            server = UiServer.start(settings.bindAddress(), settings.port(), metrics, this::prometheusText);
            log.info("web UI at {}", server.url());
        }
    }

    /** Stops the server and removes the meters. */
    public void stop() {
        UiServer s = server;
        if (s != null) {
            s.stop();
        }
        try {
            stageObservation.close();
        } catch (Exception e) {
            log.debug("could not stop observing stages", e);
        }
        for (Meter m : metrics.stop()) {
            meters.remove(m);
            settings.registry().remove(m.getId());
            if (prometheus != null) {
                prometheus.remove(m.getId());
            }
        }
    }

    private String prometheusText() {
        return prometheus == null ? "" : prometheus.scrape();
    }

    /** Returns the UI's address while it runs. */
    public Optional<URI> url() {
        UiServer s = server;
        return s == null ? Optional.empty() : Optional.of(s.url());
    }

    /** Returns the registry the user gave (or the default one). */
    public MeterRegistry registry() {
        return settings.registry();
    }

    /** Returns the metrics. */
    public StreamingMetrics metrics() {
        return metrics;
    }
}
