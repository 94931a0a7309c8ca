package dev.sluice.streaming.wal;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.io.TempDir;

/** The write-ahead-log contract on the local file system. */
class LocalWriteAheadLogTest extends WriteAheadLogContract {
    @TempDir
    Path tmp;
    private final AtomicInteger dirs = new AtomicInteger();

    @Override
    protected String newDirUri() {
        return tmp.resolve("wal-" + dirs.incrementAndGet()).toUri().toString();
    }

    @Override
    protected Configuration conf() {
        return new Configuration();
    }
}
