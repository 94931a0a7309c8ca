package dev.sluice.streaming.checkpoint;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.sluice.streaming.checkpoint.MetadataCheckpoint.OperatorState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Whether a recorded checkpoint can resume under a new program's graph, and why not. Stateless
 * operators never matter: they hold nothing across batches. A changed batch interval or a
 * changed partition count of a stateful operator is refused with old and new values (state is
 * keyed by batch time and partitioned by key; neither can be re-cut here). Stateful uids must
 * match one to one; with {@code allowDroppingState}, the state of operators missing from the new
 * graph is dropped and operators new in it start empty, both reported.
 *
 * @param matched uids present in both, sorted
 * @param missing uids in the checkpoint but not in the new graph (renamed or removed), sorted
 * @param added uids in the new graph but not in the checkpoint, sorted
 * @param problems each reason the checkpoint is refused; empty if it is compatible
 */
public record Compatibility(List<String> matched, List<String> missing, List<String> added, List<String> problems) {

    public Compatibility {
        matched = List.copyOf(matched);
        missing = List.copyOf(missing);
        added = List.copyOf(added);
        problems = List.copyOf(problems);
    }

    /** Checks {@code recorded} against {@code current}. */
    public static Compatibility check(MetadataCheckpoint recorded, GraphShape current, boolean allowDroppingState) {
        checkNotNull(recorded, "recorded");
        checkNotNull(current, "current");
        List<String> problems = new ArrayList<>();
        if (!recorded.batchInterval().equals(current.batchInterval())) {
            problems.add("batch interval changed: the checkpoint has " + recorded.batchInterval()
                    + ", the new graph has " + current.batchInterval() + "; set it back to "
                    + recorded.batchInterval() + ", or start over with an empty checkpoint directory");
        }
        Map<String, OperatorState> old = recorded.operators();
        List<String> matched = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        List<String> added = new ArrayList<>();
        TreeSet<String> all = new TreeSet<>(old.keySet());
        all.addAll(current.statefulPartitions().keySet());
        for (String uid : all) {
            Integer now = current.statefulPartitions().get(uid);
            OperatorState then = old.get(uid);
            if (then == null) {
                added.add(uid);
            } else if (now == null) {
                missing.add(uid);
            } else {
                matched.add(uid);
                if (then.partitions() != now) {
                    problems.add("stateful operator '" + uid + "' had " + then.partitions()
                            + " partitions in the checkpoint, the new graph has " + now + "; set it back to "
                            + then.partitions());
                }
            }
        }
        if ((!missing.isEmpty() || !added.isEmpty()) && !allowDroppingState) {
            problems.add("stateful operators do not match: matched " + matched + ", in the checkpoint but not in"
                    + " the new graph " + missing + ", new in the graph " + added + "; give a renamed operator its"
                    + " old id with uid(\"...\"), or allow dropping the state of removed operators");
        }
        return new Compatibility(matched, missing, added, problems);
    }

    /** Returns true if the checkpoint may resume under the new graph. */
    public boolean isCompatible() {
        return problems.isEmpty();
    }

    /** Returns the refusal (every problem), or a report of what resumes, what is dropped and what starts empty. */
    public String message() {
        if (!isCompatible()) {
            return "the checkpoint cannot resume under the new graph:\n - " + String.join("\n - ", problems);
        }
        String report = "the checkpoint resumes: stateful operators restored " + matched;
        if (!missing.isEmpty()) {
            report += ", state dropped (not in the new graph) " + missing;
        }
        if (!added.isEmpty()) {
            report += ", starting empty (new in the graph) " + added;
        }
        return report;
    }
}
