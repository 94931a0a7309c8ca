package dev.sluice.streaming.metrics;

import com.google.common.base.CaseFormat;
import dev.sluice.core.Dataset;
import dev.sluice.core.Pair;
import dev.sluice.core.spi.EngineServices;
import dev.sluice.streaming.Time;
import dev.sluice.streaming.dstream.DStreamGraph;
import dev.sluice.streaming.dstream.DStreamNode;
import dev.sluice.streaming.dstream.InputDStream;
import dev.sluice.streaming.dstream.OperatorKind;
import dev.sluice.streaming.dstream.OutputDStream;
import dev.sluice.streaming.state.AbstractStateDStream;
import dev.sluice.streaming.state.StateMap;
import dev.sluice.streaming.state.StateRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link PipelineView} over the {@link DStreamGraph}'s nodes ({@link DStreamGraph#nodes()}, in id
 * order, so parents come before children); a node's kind is its {@link OperatorKind}, written in
 * lower camel case ({@code REDUCE_BY_KEY} is {@code reduceByKey}). Handles are not nodes, so a
 * {@code PairDStream} view adds nothing here. State sizes are read from the blocks the state
 * datasets keep in the engine's block store (no job runs, nothing is recomputed): a partition not
 * stored is not counted.
 */
public final class DStreamPipelineView implements PipelineView {
    private static final int SAMPLE = 8;

    private final DStreamGraph graph;
    private final EngineServices engine;
    private volatile List<Node> nodes;
    private volatile List<DStreamNode<?>> stateful = List.of();
    private volatile List<DStreamNode<?>> all = List.of();
    private final Map<Integer, Long> lastCheckpoint = new ConcurrentHashMap<>();

    /** Creates the view of {@code graph}, whose state blocks are read through {@code engine}. */
    public DStreamPipelineView(DStreamGraph graph, EngineServices engine) {
        this.graph = graph;
        this.engine = engine;
    }

    @Override
    public List<Node> nodes() {
        List<Node> known = nodes;
        if (known == null) {
            List<Node> made = new ArrayList<>();
            List<DStreamNode<?>> states = new ArrayList<>();
            Map<DStreamNode<?>, String> uids = uids();
            for (DStreamNode<?> n : graph.nodes()) {
                made.add(node(n, uids.getOrDefault(n, "")));
                if (n instanceof AbstractStateDStream<?, ?, ?>) {
                    states.add(n);
                }
            }
            stateful = List.copyOf(states);
            all = graph.nodes();
            known = List.copyOf(made);
            nodes = known;
        }
        return known;
    }

    private Map<DStreamNode<?>, String> uids() {
        try {
            return graph.uids();
        } catch (IllegalStateException e) {
            return Map.of(); // two nodes share a uid: start() refuses the graph with that message
        }
    }

    @Override
    public Map<Integer, Integer> datasetOwners(Time time) {
        nodes();
        Map<Integer, Integer> owners = new HashMap<>();
        for (DStreamNode<?> n : all) {
            Optional<? extends Dataset<?>> ds = n.rememberedAt(time);
            if (ds.isPresent()) {
                owners.putIfAbsent(ds.get().id(), n.id()); // a node passing its parent's dataset on: the parent owns it
            }
        }
        return owners;
    }

    private static Node node(DStreamNode<?> n, String uid) {
        Role role = n instanceof InputDStream<?> ? Role.INPUT : n instanceof OutputDStream<?> ? Role.OUTPUT
                : Role.OPERATOR;
        List<Integer> parents = n.parents().stream().map(DStreamNode::id).toList();
        return new Node(n.id(), n.name(), kindOf(n.descriptor().kind()), role, parents,
                n instanceof AbstractStateDStream<?, ?, ?>, uid);
    }

    /** The kind as the UI shows it: {@code REDUCE_BY_KEY} is {@code reduceByKey}. */
    static String kindOf(OperatorKind kind) {
        return CaseFormat.UPPER_UNDERSCORE.to(CaseFormat.LOWER_CAMEL, kind.name());
    }

    @Override
    public List<StateFigures> stateAt(Time time) {
        nodes();
        List<StateFigures> out = new ArrayList<>();
        for (DStreamNode<?> s : stateful) {
            List<Time> remembered = s.rememberedTimes();
            long keys = 0;
            long bytes = 0;
            for (int i = remembered.size() - 1; i >= 0; i--) {
                Time t = remembered.get(i);
                if (t.isAfter(time)) {
                    continue;
                }
                Optional<? extends Dataset<?>> ds = s.rememberedAt(t);
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
            Optional<List<Object>> block = engine.storedPartition(ds, p);
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
