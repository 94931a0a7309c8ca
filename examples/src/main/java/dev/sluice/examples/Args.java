package dev.sluice.examples;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The {@code --name value} options of an example program. An unknown option, a missing value or
 * a value of the wrong type fails with a message naming the option and the accepted ones.
 */
public final class Args {
    private final String program;
    private final Map<String, String> values = new HashMap<>();

    private Args(String program) {
        this.program = program;
    }

    /**
     * Parses {@code args} as {@code --name value} pairs, accepting only {@code known} names.
     *
     * @throws IllegalArgumentException naming the bad option and the accepted ones
     */
    public static Args parse(String program, String[] args, Set<String> known) {
        Args out = new Args(program);
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || !known.contains(a.substring(2))) {
                throw new IllegalArgumentException(program + ": unknown option '" + a + "'; accepted: --"
                        + String.join(" --", new java.util.TreeSet<>(known)));
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(program + ": option " + a + " needs a value");
            }
            out.values.put(a.substring(2), args[++i]);
        }
        return out;
    }

    /** Returns true if the option was given. */
    public boolean has(String name) {
        return values.containsKey(name);
    }

    /** Returns the option's value, or {@code fallback}. */
    public String string(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    /** Returns the option's value as an int, or {@code fallback}. */
    public int integer(String name, int fallback) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(program + ": --" + name + " must be a whole number, got '" + v + "'", e);
        }
    }
}
