package dev.sluice.streaming.output;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;

/**
 * The local file system under the scheme {@code faulty:}, reachable only when a Hadoop
 * configuration names it ({@link #PROPERTIES}), with crash injection for tests: after a set number
 * of creates and deletes the next one "kills the process" ({@link Crash}): a create leaves a
 * seeded random prefix of its bytes (a torn file), a delete does nothing, and every later call
 * fails too, as nothing runs in a killed process. A hook can also fail chosen creates with an
 * {@code IOException}, or run something after a file is whole. State is static (Hadoop makes the
 * instances), so tests using it do not run concurrently.
 */
public final class FaultyFileSystem extends RawLocalFileSystem {
    /** The Hadoop properties that make {@code faulty:} paths reachable. */
    public static final Map<String, String> PROPERTIES = Map.of("fs.faulty.impl", FaultyFileSystem.class.getName(),
            "fs.faulty.impl.disable.cache", "true");
    /** Files created through any instance since the last {@link #reset}. */
    public static final AtomicInteger CREATES = new AtomicInteger();
    private static volatile int opsUntilCrash = -1;
    private static volatile boolean crashed;
    private static volatile Random tears = new Random(0);
    private static volatile Predicate<Path> failCreate = p -> false;
    private static volatile Predicate<Path> afterCreate = p -> false;

    /** The simulated kill: an {@code Error}, so that no {@code catch (Exception)} of the code under test handles it. */
    public static final class Crash extends Error {
        private static final long serialVersionUID = 1L;

        Crash(String what) {
            super("simulated kill -9 at " + what);
        }
    }

    /** Forgets every crash and hook. */
    public static void reset() {
        opsUntilCrash = -1;
        crashed = false;
        failCreate = p -> false;
        afterCreate = p -> false;
        CREATES.set(0);
    }

    /** Crashes at the {@code ops}-th create or delete from now (0: the next one), tearing with {@code random}. */
    public static void crashAfter(int ops, Random random) {
        tears = random;
        crashed = false;
        opsUntilCrash = ops;
    }

    /** Returns true once a crash happened (until {@link #reset} or {@link #crashAfter}). */
    public static boolean crashed() {
        return crashed;
    }

    /** Makes every create of a path matching {@code hook} fail with an {@code IOException}, writing nothing. */
    public static void failCreates(Predicate<Path> hook) {
        failCreate = hook;
    }

    /** Runs {@code hook} with each path once it is whole (closed). */
    public static void afterCreates(Predicate<Path> hook) {
        afterCreate = hook;
    }

    /** Returns a configuration that reaches {@code faulty:} paths. */
    public static Configuration conf() {
        Configuration conf = new Configuration();
        PROPERTIES.forEach(conf::set);
        return conf;
    }

    @Override
    public URI getUri() {
        return URI.create("faulty:///");
    }

    @Override
    public String getScheme() {
        return "faulty";
    }

    @Override
    public FSDataOutputStream create(Path f, FsPermission permission, boolean overwrite, int bufferSize,
                                     short replication, long blockSize, Progressable progress) throws IOException {
        boolean tear = step("create " + f);
        if (failCreate.test(f)) {
            throw new IOException("injected failure creating " + f);
        }
        // java.nio, not super.create: Hadoop's local create forks chmod without its native library (slow).
        java.nio.file.Path file = pathToFile(f).toPath();
        Files.createDirectories(file.getParent());
        OutputStream real = overwrite ? Files.newOutputStream(file)
                : Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        CREATES.incrementAndGet();
        return new FSDataOutputStream(new TearingStream(real, f, tear), null);
    }

    @Override
    public FSDataOutputStream create(Path f, boolean overwrite, int bufferSize, short replication, long blockSize,
                                     Progressable progress) throws IOException {
        return create(f, FsPermission.getFileDefault(), overwrite, bufferSize, replication, blockSize, progress);
    }

    @Override
    public boolean delete(Path p, boolean recursive) throws IOException {
        if (step("delete " + p)) {
            throw new Crash("delete " + p);
        }
        return super.delete(p, recursive);
    }

    /** Counts one mutation; returns true if it is the one that crashes. */
    private static synchronized boolean step(String what) {
        if (crashed) {
            throw new Crash(what + " (after the crash)");
        }
        if (opsUntilCrash < 0) {
            return false;
        }
        if (opsUntilCrash-- == 0) {
            crashed = true;
            return true;
        }
        return false;
    }

    /** Buffers a file; writes it whole on close, or, for the crashing create, a random prefix of it. */
    private static final class TearingStream extends OutputStream {
        private final OutputStream real;
        private final Path path;
        private final boolean tear;
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

        TearingStream(OutputStream real, Path path, boolean tear) {
            this.real = real;
            this.path = path;
            this.tear = tear;
        }

        @Override
        public void write(int b) {
            buffer.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            buffer.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            byte[] bytes = buffer.toByteArray();
            if (tear) {
                real.write(bytes, 0, bytes.length == 0 ? 0 : tears.nextInt(bytes.length));
                real.close();
                throw new Crash("create " + path + " (torn)");
            }
            real.write(bytes);
            real.close();
            afterCreate.test(path);
        }
    }
}
