package dev.sluice.examples;

import dev.sluice.streaming.StreamingContext;
import java.util.HashSet;
import java.util.Set;

/**
 * The web UI options every demo takes: {@code --ui off} turns the UI off, {@code --ui-port N}
 * moves it (default 4040, or the next free port). Each demo prints the UI's address as its first
 * line of output.
 */
final class DemoUi {
    private DemoUi() {
    }

    /** Returns {@code known} plus the UI options. */
    static Set<String> withOptions(Set<String> known) {
        Set<String> all = new HashSet<>(known);
        all.add("ui");
        all.add("ui-port");
        return all;
    }

    /** Applies {@code --ui} and {@code --ui-port} to {@code builder}. */
    static StreamingContext.Builder apply(Args args, StreamingContext.Builder builder) {
        String ui = args.string("ui", "on");
        if (!ui.equals("on") && !ui.equals("off")) {
            throw new IllegalArgumentException("--ui must be 'on' or 'off', got '" + ui + "'");
        }
        return builder.webUi(ui.equals("on")).webUiPort(args.integer("ui-port", 4040));
    }

    /** Prints the UI's address (or that it is off); call right after {@code start()}, before anything else is printed. */
    static void printUrl(StreamingContext ssc) {
        System.out.println(ssc.webUiUrl().map(url -> "web UI: " + url).orElse("web UI: off (--ui off)"));
    }
}
