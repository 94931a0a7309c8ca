package dev.sluice.streaming.statestore;

import dev.sluice.streaming.statestore.StateManifest.FileRef;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides, partition by partition, whether a state checkpoint extends a partition's chain with a
 * delta or starts it again with a base (a rebase).
 *
 * <h2>The rule</h2>
 * A partition <em>must</em> get a base when its chain already holds {@value #MAX_DELTAS} deltas,
 * when its state cannot give every change since the previous checkpoint
 * ({@code hasChangesSince} false: a merge into the root dropped a newer removal), or when its
 * delta, encoded, would take the chain's delta bytes past {@value #DELTA_RATIO} of its own base's
 * bytes. A partition <em>may</em> get one early (proactively) once its chain, with this delta,
 * would be half full ({@link #fullnessAfter} at least {@value #PROACTIVE_FULLNESS}: delta bytes
 * past {@code DELTA_RATIO / 2} of its base, or {@code MAX_DELTAS / 2} deltas), but only if it
 * would otherwise collide (at the pace of its latest delta it would have to be rebased at the
 * same later checkpoint as more than {@link #budget} partitions, {@link #checkpointsUntilFull})
 * or it is {@value #NEARLY_FULL} full (a margin: paces vary, and two chains that overflow at once
 * must both be rebased). The fullest such partitions go first, while fewer than the budget are
 * rebased by this checkpoint, those that must included. Every other partition gets its delta (or keeps its chain
 * unchanged when nothing changed in it). Deltas are encoded before the choice (it needs their
 * sizes); the few of partitions then rebased early are dropped, a bounded waste (each is under
 * half its base).
 *
 * <h2>Why staggered, and why only on a collision</h2>
 * Uniform updates make every partition's chain fill at the same rate, so a purely local rule
 * would rebase all of them at the same checkpoint: one write of the whole state, and a disk peak
 * of the old chains (up to {@code 1 + DELTA_RATIO} each) plus every new base. Rebasing half-full
 * chains early, at most {@code budget} at a time, moves the partitions out of phase: after the
 * first rounds a checkpoint rewrites about {@code budget / P} of the state, not all of it. Once
 * they are apart, an early rebase would only make a chain shorter: the rule before this one
 * rebased any half-full chain while the budget allowed, which at 2 partitions wrote half the
 * state at nearly every checkpoint, twice the bases a chain needs, and a writer that fell behind
 * the stream (at 10,000,000 keys, 4.5 s of its CPU per checkpoint against 2 s between them).
 *
 * <h2>Bounds (F: one full copy of the state; P partitions of about F / P each)</h2>
 * <ul>
 *   <li>files a recovery reads per partition: at most {@code 1 + MAX_DELTAS};</li>
 *   <li>live bytes (the chains the newest manifest names): each chain at most
 *       {@code (1 + DELTA_RATIO)} times its base, so at most {@code 1.5 F};</li>
 *   <li>transient, while a checkpoint's bases are written and until the metadata checkpoint refers
 *       to its manifest (the old chains stay for a crash meanwhile): the live bytes plus the new
 *       bases, at most {@code (1 + DELTA_RATIO) F + r F / P} for {@code r} partitions rebased. With
 *       no more than {@code budget} rebased, {@code r / P <= 1/2} for {@code P >= 2}, so at most
 *       {@code 2 F} (P = 2: {@code 1.5 F + 0.5 F}; P = 8: {@code 1.75 F}). Partitions that must be
 *       rebased are never deferred (the per-partition bounds win): more than {@code budget} may
 *       have to be at once when paces swing several-fold from one checkpoint to the next (two
 *       nearly full chains overflow together), which still keeps {@code 2 F} while
 *       {@code r <= P / 2} (not at {@code P = 3}, where two are {@code r = 2}: up to about
 *       {@code 2.17 F}); if every partition must at once (each lost a removal to a root merge,
 *       or the writer lagged so long that one delta would outgrow the bound everywhere), the peak
 *       can reach {@code 2.5 F}, as before.
 *       With one partition there is nothing to stagger: no early rebase, peak up to {@code 2.5 F}.</li>
 * </ul>
 *
 * <p>Threading: stateless.
 */
final class RebasePolicy {
    static final int MAX_DELTAS = 8;
    static final double DELTA_RATIO = 0.5;
    static final double PROACTIVE_FULLNESS = 0.5;
    /** A chain this full is rebased whenever the budget allows, collision or not (a margin for uneven paces). */
    static final double NEARLY_FULL = 0.85;

    private RebasePolicy() {
    }

    /** How many partitions one checkpoint rebases at most, unless more must: {@code max(1, ceil(P / 4))}, 0 for P = 1. */
    static int budget(int partitions) {
        return partitions < 2 ? 0 : Math.max(1, (partitions + 3) / 4);
    }

    static long baseBytes(List<FileRef> chain) {
        return chain.get(0).length();
    }

    static long deltaBytes(List<FileRef> chain) {
        long n = 0;
        for (int i = 1; i < chain.size(); i++) {
            n += chain.get(i).length();
        }
        return n;
    }

    static int deltas(List<FileRef> chain) {
        return chain.size() - 1;
    }

    /** How full the chain is after a further delta of {@code bytes}: 1 at the bound (delta bytes or count). */
    static double fullnessAfter(List<FileRef> chain, long bytes) {
        double ratio = (deltaBytes(chain) + bytes) / (DELTA_RATIO * Math.max(1, baseBytes(chain)));
        return Math.max(ratio, (deltas(chain) + 1) / (double) MAX_DELTAS);
    }

    /** Returns true if the chain cannot take a further delta of {@code bytes} bytes. */
    static boolean overflows(List<FileRef> chain, long bytes) {
        return deltas(chain) >= MAX_DELTAS || deltaBytes(chain) + bytes > DELTA_RATIO * baseBytes(chain);
    }

    /**
     * How many checkpoints from this one (0) until the chain must be rebased, if each further
     * delta is as large as this one ({@code bytes}, encoded; more than 0).
     */
    static int checkpointsUntilFull(List<FileRef> chain, long bytes) {
        if (overflows(chain, bytes)) {
            return 0;
        }
        long byDeltas = MAX_DELTAS - (deltas(chain) + 1);
        long room = (long) (DELTA_RATIO * baseBytes(chain)) - deltaBytes(chain) - bytes;
        return 1 + (int) Math.min(byDeltas, room / bytes);
    }

    /**
     * Returns, per partition of {@code chains}, whether the checkpoint writes it as a base: those
     * that {@code must}, and, while fewer than the {@link #budget} are, early the fullest of those
     * whose chain would be at least half full with their delta ({@code deltaBytes[p]}, the
     * encoded length; 0 when nothing changed, which keeps the chain and is no candidate) and
     * that either are {@value #NEARLY_FULL} full or would otherwise have to be rebased at the same
     * later checkpoint as more than the budget of partitions
     * ({@link #checkpointsUntilFull}, each at its latest delta's pace). So partitions in phase are
     * moved apart, and then each chain runs until it is nearly full: a rebase that collides with
     * no other is not taken at half (that would write bases twice as often).
     */
    static boolean[] rebases(List<List<FileRef>> chains, boolean[] must, long[] deltaBytes) {
        int n = chains.size();
        boolean[] base = must.clone();
        int rebased = 0;
        int[] due = new int[n];
        Map<Integer, Integer> dueAt = new HashMap<>();
        for (int p = 0; p < n; p++) {
            if (must[p]) {
                rebased++;
                due[p] = 0;
            } else if (deltaBytes[p] > 0) {
                due[p] = checkpointsUntilFull(chains.get(p), deltaBytes[p]);
            } else {
                due[p] = -1; // unchanged: no pace to predict from
                continue;
            }
            dueAt.merge(due[p], 1, Integer::sum);
        }
        List<Integer> candidates = new ArrayList<>();
        for (int p = 0; p < n; p++) {
            if (!must[p] && deltaBytes[p] > 0 && fullnessAfter(chains.get(p), deltaBytes[p]) >= PROACTIVE_FULLNESS) {
                candidates.add(p);
            }
        }
        candidates.sort(Comparator.comparingDouble((Integer p) -> -fullnessAfter(chains.get(p), deltaBytes[p]))
                .thenComparingInt(p -> p));
        int budget = budget(n);
        for (int i = 0; i < candidates.size() && rebased < budget; i++) {
            int p = candidates.get(i);
            if (dueAt.get(due[p]) > budget || fullnessAfter(chains.get(p), deltaBytes[p]) >= NEARLY_FULL) {
                base[p] = true;
                rebased++;
                dueAt.merge(due[p], -1, Integer::sum);
            }
        }
        return base;
    }
}
