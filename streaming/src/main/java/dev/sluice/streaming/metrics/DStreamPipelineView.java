package dev.sluice.streaming.metrics;

import com.google.common.base.CaseFormat;
import dev.sluice.core.Dataset;
import dev.sluice.core.Pair;
import dev.sluice.core.storage.BlockStore;
import dev.sluice.core.storage.DatasetBlockId;
import dev.sluice.streaming.DStream;
import dev.sluice.streaming.Time;
import dev.sluice.streaming.dstream.DStreamGraph;
import dev.sluice.streaming.dstream.ForEachDStream;
import dev.sluice.streaming.dstream.InputDStream;
import dev.sluice.streaming.state.AbstractStateDStream;
import dev.sluice.streaming.state.StateMap;
import dev.sluice.streaming.state.StateRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@link PipelineView} over today's {@link DStreamGraph}: walks from the inputs and outputs
 * through {@link DStream#dependencies()}. State sizes are read from the blocks the state
 * datasets keep in memory (no job runs, nothing is recomputed): a partition not in memory is not
 * counted.
 */
public final class DStreamPipelineView implements PipelineView {
    private static final int SAMPLE = 8;

    private final DStreamGraph graph;
    private final BlockStore blockStore;
    private volatile List<Node> nodes;
    private volatile List<DStream<?>> stateful = List.of();
    private final Map<Integer, Long> lastCheckpoint = new java.util.concurrent.ConcurrentHashMap<>();

    /** Creates the view of {@code graph}, whose state blocks live in {@code blockStore}. */
    public DStreamPipelineView(DStreamGraph graph, BlockStore blockStore) {
        this.graph = graph;
        this.blockStore = blockStore;
    }

    @Override
    public List<Node> nodes() {
        List<Node> known = nodes;
        if (known == null) {
            Map<Integer, DStream<?>> streams = new LinkedHashMap<>();
            for (InputDStream<?> in : graph.inputs()) {
                visit(in, streams);
            }
            for (ForEachDStream<?> out : graph.outputs()) {
                visit(out, streams);
            }
            List<Node> made = new ArrayList<>();
            List<DStream<?>> states = new ArrayList<>();
            for (DStream<?> s : streams.values()) {
                made.add(node(s));
                if (s instanceof AbstractStateDStream<?, ?, ?>) {
                    states.add(s);
                }
            }
            stateful = List.copyOf(states);
            known = List.copyOf(made);
            nodes = known;
        }
        return known;
    }

    private static void visit(DStream<?> s, Map<Integer, DStream<?>> seen) {
        if (seen.containsKey(s.id())) {
            return;
        }
        for (DStream<?> parent : s.dependencies()) {
            visit(parent, seen);
        }
        seen.put(s.id(), s);
    }

    private static Node node(DStream<?> s) {
        Role role = s instanceof InputDStream<?> ? Role.INPUT : s instanceof ForEachDStream<?> ? Role.OUTPUT
                : Role.OPERATOR;
        List<Integer> parents = s.dependencies().stream().map(DStream::id).toList();
        return new Node(s.id(), s.name(), kindOf(s), role, parents, s instanceof AbstractStateDStream<?, ?, ?>);
    }

    /** The operator's class, as a kind: {@code TransformedDStream} is {@code transformed}. */
    static String kindOf(DStream<?> s) {
        String simple = s.getClass().getSimpleName();
        String bare = simple.endsWith("DStream") ? simple.substring(0, simple.length() - "DStream".length()) : simple;
        return bare.isEmpty() ? simple : CaseFormat.UPPER_CAMEL.to(CaseFormat.LOWER_CAMEL, bare);
    }

    @Override
    public List<StateFigures> stateAt(Time time) {
        nodes();
        List<StateFigures> out = new ArrayList<>();
        for (DStream<?> s : stateful) {
            List<Time> remembered = s.rememberedTimes();
            long keys = 0;
            long bytes = 0;
            for (int i = remembered.size() - 1; i >= 0; i--) {
                Time t = remembered.get(i);
                if (t.isAfter(time)) {
                    continue;
                }
                Optional<? extends Dataset<?>> ds = s.datasetAt(t);
                if (ds.isPresent() && ds.get().isCheckpointed()) {
                    lastCheckpoint.merge(s.id(), t.millis(), Math::max);
                }
                if (keys == 0 && ds.isPresent()) {
                    long[] figures = measure(ds.get());
                    keys = figures[0];
                    bytes = figures[1];
                }
            }
            out.add(new StateFigures(s.id(), s.name(), keys, bytes, Optional.ofNullable(lastCheckpoint.get(s.id()))));
        }
        return out;
    }

    /** Returns {keys, approximate bytes} of the partitions of {@code ds} held in memory. */
    private long[] measure(Dataset<?> ds) {
        long keys = 0;
        long sampledBytes = 0;
        int sampled = 0;
        int partitions = ds.partitions().size();
        for (int p = 0; p < partitions; p++) {
            Optional<List<Object>> block = blockStore.get(new DatasetBlockId(ds.id(), p));
            if (block.isEmpty()) {
                continue;
            }
            List<Object> records = block.get();
            if (!records.isEmpty() && records.get(0) instanceof StateRecord<?, ?, ?>) {
                for (Object record : records) { // one per partition
                    StateMap<?, ?> map = ((StateRecord<?, ?, ?>) record).state();
                    keys += map.size();
                    var it = map.iterator();
                    for (int i = 0; i < SAMPLE && it.hasNext(); i++, sampled++) {
                        StateMap.Entry<?, ?> e = it.next();
                        sampledBytes += ApproxSizes.entry(e.key(), e.state());
                    }
                }
            } else {
                keys += records.size(); // updateStateByKey: one (key, state) pair per key
                for (int i = 0; i < SAMPLE && i < records.size(); i++, sampled++) {
                    sampledBytes += records.get(i) instanceof Pair<?, ?> pair ? ApproxSizes.entry(pair.key(), pair.value())
                            : ApproxSizes.of(records.get(i));
                }
            }
        }
        long bytes = sampled == 0 ? 0 : Math.round((double) sampledBytes / sampled * keys);
        return new long[] {keys, bytes};
    }
}
