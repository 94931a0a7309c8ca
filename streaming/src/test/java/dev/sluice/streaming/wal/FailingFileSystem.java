package dev.sluice.streaming.wal;

import java.io.IOException;
import java.net.URI;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FilterFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;

/**
 * The local file system under the scheme {@code failing:}, whose output streams fail every
 * flush once {@link #FAIL_AFTER_FLUSHES} flushes have succeeded: a disk or a data node that goes
 * away mid-write. While {@link #FLUSH_GATE} holds a latch, each flush first counts down
 * {@link #FLUSH_ENTERED} and waits for the gate: a slow flush, for the group-commit test.
 */
public final class FailingFileSystem extends FilterFileSystem {
    /** Flushes allowed before every later one fails (across all streams). */
    static final AtomicLong FAIL_AFTER_FLUSHES = new AtomicLong(Long.MAX_VALUE);
    static volatile CountDownLatch FLUSH_GATE;
    static volatile CountDownLatch FLUSH_ENTERED;

    public FailingFileSystem() {
        super(new RawLocalFileSystem());
    }

    static Configuration conf() {
        Configuration conf = new Configuration();
        conf.set("fs.failing.impl", FailingFileSystem.class.getName());
        conf.setBoolean("fs.failing.impl.disable.cache", true);
        return conf;
    }

    @Override
    public void initialize(URI name, Configuration conf) throws IOException {
        fs.initialize(URI.create("file:///"), conf);
        setConf(conf);
    }

    @Override
    public URI getUri() {
        return URI.create("failing:///");
    }

    @Override
    public String getScheme() {
        return "failing";
    }

    private static Path local(Path p) {
        return new Path("file", null, p.toUri().getPath());
    }

    @Override
    public FSDataOutputStream create(Path f, FsPermission permission, boolean overwrite, int bufferSize,
            short replication, long blockSize, Progressable progress) throws IOException {
        FSDataOutputStream inner = fs.create(local(f), permission, overwrite, bufferSize, replication, blockSize,
                progress);
        return new FSDataOutputStream(inner, null) {
            @Override
            public void hflush() throws IOException {
                CountDownLatch gate = FLUSH_GATE;
                if (gate != null) {
                    FLUSH_ENTERED.countDown();
                    try {
                        if (!gate.await(60, TimeUnit.SECONDS)) {
                            throw new IOException("flush gate not opened within 60 s");
                        }
                    } catch (InterruptedException e) {
                        throw new java.io.InterruptedIOException("interrupted at the flush gate");
                    }
                }
                if (FAIL_AFTER_FLUSHES.getAndDecrement() <= 0) {
                    throw new IOException("injected flush failure on " + f);
                }
                inner.hflush();
            }
        };
    }

    @Override
    public boolean mkdirs(Path f) throws IOException {
        return fs.mkdirs(local(f));
    }

    @Override
    public org.apache.hadoop.fs.FSDataInputStream open(Path f, int bufferSize) throws IOException {
        return fs.open(local(f), bufferSize);
    }

    @Override
    public boolean delete(Path f, boolean recursive) throws IOException {
        return fs.delete(local(f), recursive);
    }

    @Override
    public org.apache.hadoop.fs.FileStatus getFileStatus(Path f) throws IOException {
        return fs.getFileStatus(local(f));
    }

    @Override
    public boolean mkdirs(Path f, FsPermission permission) throws IOException {
        return fs.mkdirs(local(f), permission);
    }

    @Override
    public org.apache.hadoop.fs.FileStatus[] listStatus(Path f) throws IOException {
        return fs.listStatus(local(f));
    }

    @Override
    public boolean exists(Path f) throws IOException {
        return fs.exists(local(f));
    }
}
