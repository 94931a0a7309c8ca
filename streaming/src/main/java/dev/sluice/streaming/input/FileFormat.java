package dev.sluice.streaming.input;

import static com.google.common.base.Preconditions.checkArgument;

import dev.sluice.core.SluiceException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** How a file stream's task turns one file into records: text lines, or fixed-length binary records. */
public interface FileFormat<T> extends Serializable {

    /**
     * Reads every record of {@code file}.
     *
     * @throws java.io.FileNotFoundException if the file is gone
     */
    List<T> read(FileSystem fs, ListedFile file) throws IOException;

    /**
     * Returns the UTF-8 lines of a file, split at '\n' with a trailing '\r' dropped. The last line
     * is read even without its newline: the file stream reads only files nobody has written to
     * for a batch interval, so a file's end is its last record's end.
     */
    static FileFormat<String> lines() {
        return (fs, file) -> {
            Path path = new Path(file.path());
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(fs.open(path),
                    StandardCharsets.UTF_8))) {
                List<String> lines = new ArrayList<>();
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    lines.add(line);
                }
                return lines;
            }
        };
    }

    /**
     * Returns the records of {@code recordLength} bytes each of a binary file.
     *
     * @throws IllegalArgumentException if {@code recordLength <= 0}
     */
    static FileFormat<byte[]> fixedLength(int recordLength) {
        checkArgument(recordLength > 0, "recordLength must be > 0 bytes, got %s", recordLength);
        return (fs, file) -> {
            List<byte[]> records = new ArrayList<>();
            try (InputStream in = fs.open(new Path(file.path()))) {
                long total = 0;
                while (true) {
                    byte[] record = new byte[recordLength];
                    int n = in.readNBytes(record, 0, recordLength);
                    total += n;
                    if (n < recordLength) {
                        if (n > 0) {
                            throw new SluiceException(String.format("binaryRecordsStream: file %s has %d bytes, which "
                                    + "is not a multiple of the record length %d (%d bytes left over); every file must "
                                    + "hold whole records", file.path(), total, recordLength, n));
                        }
                        return records;
                    }
                    records.add(record);
                }
            }
        };
    }
}
