package dev.sluice.streaming.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.SluiceException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A failed flush fails every waiting and later append with the cause; nothing is retried or doubled. */
class WriteAheadLogFailureTest {
    @TempDir
    Path tmp;

    @AfterEach
    void heal() {
        FailingFileSystem.FAIL_AFTER_FLUSHES.set(Long.MAX_VALUE);
    }

    @Test
    void append_whenAFlushFails_failsWithTheCauseAndEveryLaterAppendFailsToo() {
        String dir = "failing://" + tmp.resolve("wal").toAbsolutePath();
        WriteAheadLog wal = WriteAheadLog.open(dir, WalOptions.defaults(), FailingFileSystem.conf());
        List<WalPosition> acked = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            acked.add(wal.append(new byte[] {(byte) i}));
        }
        FailingFileSystem.FAIL_AFTER_FLUSHES.set(0);

        assertThatThrownBy(() -> wal.append(new byte[] {9})).isInstanceOf(SluiceException.class)
                .hasMessageContaining("append to write-ahead log").rootCause()
                .hasMessageContaining("injected flush failure on").hasMessageContaining("log-00000000000000000001");
        assertThatThrownBy(() -> wal.append(new byte[] {10})).isInstanceOf(SluiceException.class)
                .hasMessageContaining("failed earlier");
        wal.close();
        FailingFileSystem.FAIL_AFTER_FLUSHES.set(Long.MAX_VALUE);

        WalReadResult read = WalReader.open(dir, FailingFileSystem.conf(), 1 << 20).readAll();
        assertThat(read.records()).extracting(WalRecord::position).startsWith(acked.toArray(WalPosition[]::new));
        assertThat(read.records()).as("the failed record may be in the file, never twice").hasSizeBetween(3, 4);
    }
}
