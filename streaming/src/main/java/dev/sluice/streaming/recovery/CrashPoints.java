package dev.sluice.streaming.recovery;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Stops the JVM at a named {@link CrashPoint}, for crash tests that kill a child JVM with SIGKILL
 * at exactly that moment. Off unless the system property {@value #PROPERTY} is set, to
 * {@code POINT} or {@code POINT:n} (the {@code n}th time the point is reached, from 1; default 1).
 *
 * <p>When the armed point is reached the thread prints the line {@code SLUICE-CRASH-POINT POINT}
 * to standard output, flushes, and parks for ever, holding whatever the engine held: the test
 * harness waits for that line and sends SIGKILL, so nothing after the point is written. The
 * engine calls {@link #reached} at each point; unarmed, that is one read of a final field.
 */
public final class CrashPoints {
    /** The system property that arms a crash point. */
    public static final String PROPERTY = "sluice.test.crashAt";
    /** The line prefix printed when the armed point is reached. */
    public static final String MARKER = "SLUICE-CRASH-POINT ";

    private static final CrashPoint ARMED;
    private static final int AT;
    private static final AtomicInteger COUNT = new AtomicInteger();

    static {
        String spec = System.getProperty(PROPERTY);
        if (spec == null || spec.isBlank()) {
            ARMED = null;
            AT = 0;
        } else {
            String[] parts = spec.trim().split(":", 2);
            try {
                ARMED = CrashPoint.valueOf(parts[0]);
                AT = parts.length > 1 ? Integer.parseInt(parts[1]) : 1;
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("system property " + PROPERTY + "=" + spec
                        + " is not POINT or POINT:n with POINT one of " + java.util.Arrays.toString(CrashPoint.values())
                        + " and n >= 1", e);
            }
            if (AT < 1) {
                throw new IllegalArgumentException("system property " + PROPERTY + "=" + spec + ": n must be >= 1");
            }
        }
    }

    private CrashPoints() {
    }

    /** Returns the armed point, or {@code null} when none is. */
    public static CrashPoint armed() {
        return ARMED;
    }

    /** Marks that {@code point} is reached: parks the thread for ever if it is the armed point's chosen time. */
    public static void reached(CrashPoint point) {
        if (ARMED != point || point == null) {
            return;
        }
        if (COUNT.incrementAndGet() != AT) {
            return;
        }
        PrintStream out = System.out;
        out.println(MARKER + point.name());
        out.flush();
        while (true) {
            LockSupport.park(CrashPoints.class);
        }
    }
}
