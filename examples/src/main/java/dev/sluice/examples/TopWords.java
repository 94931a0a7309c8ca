package dev.sluice.examples;

import dev.sluice.core.Pair;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.PriorityQueue;

/** The most frequent words of a set of (word, count) pairs, for the example programs' printouts. */
final class TopWords {
    private TopWords() {
    }

    /** Returns the {@code n} pairs with the highest counts, highest first (ties by word). */
    static List<Pair<String, Long>> of(Iterator<Pair<String, Long>> counts, int n) {
        Comparator<Pair<String, Long>> order = Comparator.<Pair<String, Long>>comparingLong(Pair::value)
                .thenComparing(Pair::key, Comparator.reverseOrder());
        PriorityQueue<Pair<String, Long>> smallestFirst = new PriorityQueue<>(order);
        while (counts.hasNext()) {
            smallestFirst.add(counts.next());
            if (smallestFirst.size() > n) {
                smallestFirst.poll();
            }
        }
        List<Pair<String, Long>> out = new ArrayList<>(smallestFirst);
        out.sort(order.reversed());
        return out;
    }
}
