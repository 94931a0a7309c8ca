package dev.sluice.examples;

/** Entry point of the examples jar: the first argument picks the program. */
public final class Main {
    private Main() {
    }

    /** Runs the program named by {@code args[0]}. */
    public static void main(String[] args) {
        System.out.println("usage: java -jar sluice-examples.jar <program> [options]");
    }
}
