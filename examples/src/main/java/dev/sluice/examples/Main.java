package dev.sluice.examples;

import dev.sluice.examples.bench.BatchWordCountBench;
import dev.sluice.examples.bench.BenchSuite;
import dev.sluice.examples.bench.SocketBench;
import dev.sluice.examples.bench.StateScaleBench;
import dev.sluice.examples.bench.StreamingBench;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Entry point of the examples jar: the first argument picks the program, the rest are its
 * options. {@code bench <name>} picks a benchmark. To add a program or benchmark, add a row to
 * {@link #PROGRAMS} or {@link #BENCHMARKS}.
 */
public final class Main {
    /** A program of the jar; gets the arguments after its name. */
    @FunctionalInterface
    interface Program {
        void run(String[] args) throws Exception;
    }

    private static final Map<String, Program> BENCHMARKS = new TreeMap<>(Map.of(
            "batch-wordcount", BatchWordCountBench::main,
            "state-scale", StateScaleBench::main,
            "socket", SocketBench::main,
            "wal", dev.sluice.examples.bench.WalBench::main,
            "receiver-wal", dev.sluice.examples.bench.ReceiverWalBench::main,
            "recovery", dev.sluice.examples.bench.RecoveryBench::main,
            "W4", args -> StreamingBench.run("W4", args),
            "baseline", args -> StreamingBench.run("baseline", args),
            "suite", BenchSuite::main));

    static {
        for (String workload : StreamingBench.workloads()) {
            BENCHMARKS.put(workload, args -> StreamingBench.run(workload, args));
        }
    }

    private static final Map<String, Program> PROGRAMS = new TreeMap<>(Map.of(
            "socket-word-count", SocketWordCount::main,
            "windowed-word-count", WindowedWordCount::main,
            "stateful-word-count", StatefulWordCount::main,
            "kafka-word-count", KafkaWordCount::main,
            "bench", args -> dispatch("bench ", BENCHMARKS, args)));

    private Main() {
    }

    /** Runs the program named by {@code args[0]}. */
    public static void main(String[] args) throws Exception {
        dispatch("", PROGRAMS, args);
    }

    private static void dispatch(String prefix, Map<String, Program> table, String[] args) throws Exception {
        Program program = args.length == 0 ? null : table.get(args[0]);
        if (program == null) {
            String usage = "usage: java -jar sluice-examples.jar " + prefix + "<name> [options]; names: "
                    + String.join(", ", table.keySet());
            if (args.length == 0) {
                System.out.println(usage);
                return;
            }
            System.err.println("unknown program '" + args[0] + "'; " + usage);
            System.exit(2);
        }
        program.run(Arrays.copyOfRange(args, 1, args.length));
    }
}
