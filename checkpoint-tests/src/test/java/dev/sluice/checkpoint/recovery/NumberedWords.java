package dev.sluice.checkpoint.recovery;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The input of the receiver crash tests: record {@code i} of seed {@code s} is a word drawn from
 * a small vocabulary by a hash of both, so the parent computes the fault-free totals without
 * asking the child. The state also keeps {@link #POSITION}, the highest record number counted
 * (as {@link #positionValue}).
 */
final class NumberedWords {
    /** The state key of the highest record number counted (not a word: words have no '#'). */
    static final String POSITION = "#position";
    private static final String[] WORDS = {"ant", "bee", "cat", "dog", "eel", "fox", "gnu", "hen", "ibis", "jay",
            "koi", "lynx", "mole", "newt", "owl", "pig"};

    private NumberedWords() {
    }

    static long mix(long seed, long i) {
        long z = seed * 0x9E3779B97F4A7C15L + i * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 30)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    static String word(long seed, int i) {
        return WORDS[(int) Math.floorMod(mix(seed, i) >>> 7, (long) WORDS.length)];
    }

    /** The value a record adds under {@link #POSITION}: negative, so the update tells it from a word's count of 1. */
    static long positionValue(long record) {
        return -(record + 1);
    }

    /** The record number a {@link #POSITION} state holds. */
    static long positionOf(long state) {
        return -state - 1;
    }

    /** The state update: a word's count adds its ones; {@link #POSITION} keeps the lowest (highest record). */
    static long combine(List<Long> values, Optional<Long> state) {
        long s = state.orElse(0L);
        for (long v : values) {
            s = v < 0 ? Math.min(s, v) : s + v;
        }
        return s;
    }

    /** The fault-free totals of records {@code 0..records-1}, with the position {@code records-1}. */
    static Map<String, Long> expected(long seed, int records) {
        Map<String, Long> out = new TreeMap<>();
        for (int i = 0; i < records; i++) {
            out.merge(word(seed, i), 1L, Long::sum);
        }
        out.put(POSITION, positionValue(records - 1L));
        return out;
    }
}
