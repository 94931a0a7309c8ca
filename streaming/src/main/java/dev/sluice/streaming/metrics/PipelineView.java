package dev.sluice.streaming.metrics;

import dev.sluice.streaming.Time;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A read-only description of a context's pipeline, for the metrics and the UI: the operators and
 * their edges, and the size of each stateful operator's state. The one place that looks inside
 * the DStream graph, so that the UI can be pointed at another graph representation by
 * implementing this interface again.
 *
 * <p>Threading: {@link #nodes} is fixed once the context has started; {@link #stateAt} is called
 * on the job thread after a batch completed.
 */
public interface PipelineView {

    /** Where an operator sits in the pipeline. */
    enum Role { INPUT, OPERATOR, OUTPUT }

    /**
     * One operator.
     *
     * @param id       the stream id, unique in the context
     * @param name     the operator's name (the user's, or the operation's)
     * @param kind     the operator kind in lower camel case (e.g. {@code map}, {@code reduceByKey}, {@code receiverInput})
     * @param role     input, operator or output
     * @param parents  ids of the operators it reads
     * @param stateful true if it keeps state across batches
     * @param uid      its uid (given or derived) if it needs an identity (inputs, stateful and windowed
     *                 operators) or was given one; empty otherwise
     */
    record Node(int id, String name, String kind, Role role, List<Integer> parents, boolean stateful, String uid) {
        public Node {
            parents = List.copyOf(parents);
        }
    }

    /**
     * The state of one stateful operator after a batch.
     *
     * @param operatorId       the operator's id
     * @param name             the operator's name
     * @param keys             live keys (of the partitions held in memory)
     * @param approxBytes      estimated heap bytes of keys and states (sampled)
     * @param lastCheckpointMs batch time of the newest checkpointed state, if any
     */
    record StateFigures(int operatorId, String name, long keys, long approxBytes, Optional<Long> lastCheckpointMs) {
    }

    /** Returns every operator, parents before children. */
    List<Node> nodes();

    /** Returns the state figures of each stateful operator as of batch {@code time}. */
    List<StateFigures> stateAt(Time time);

    /**
     * Returns, by dataset id, the operator whose dataset of batch {@code time} it is (the datasets
     * the operators still remember; intermediate datasets an operator makes inside are not listed).
     * Called on the job thread after the batch's jobs ran.
     */
    Map<Integer, Integer> datasetOwners(Time time);
}
