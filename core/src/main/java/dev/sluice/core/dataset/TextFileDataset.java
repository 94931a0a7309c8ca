package dev.sluice.core.dataset;

import static com.google.common.base.Preconditions.checkArgument;

import dev.sluice.core.Partition;
import dev.sluice.core.SluiceException;
import dev.sluice.core.TaskContext;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The lines of a text file, or of every visible file in a directory, one partition per file,
 * read through Hadoop's {@link FileSystem} (so any URI scheme it knows works).
 */
public final class TextFileDataset extends DatasetNode<String> {
    private final List<String> files;
    private final transient Configuration conf;

    private record FilePartition(int index, String file) implements Partition {
    }

    /**
     * Lists the files of {@code uri} now, so that a missing path fails at the call.
     *
     * @throws IllegalArgumentException if {@code uri} does not exist
     */
    public TextFileDataset(NodeServices services, Configuration conf, String uri) {
        super(services);
        this.conf = conf;
        this.files = list(conf, uri);
        setName("textFile " + uri);
    }

    private static List<String> list(Configuration conf, String uri) {
        try {
            Path path = new Path(uri);
            FileSystem fs = path.getFileSystem(conf);
            checkArgument(fs.exists(path), "textFile path does not exist: %s; check the path and its scheme "
                    + "(file:, hdfs:, ...)", uri);
            FileStatus status = fs.getFileStatus(path);
            if (status.isFile()) {
                return List.of(status.getPath().toString());
            }
            List<String> out = new ArrayList<>();
            FileStatus[] children = fs.listStatus(path, p -> !p.getName().startsWith(".") && !p.getName().startsWith("_"));
            Arrays.sort(children);
            for (FileStatus child : children) {
                if (child.isFile()) {
                    out.add(child.getPath().toString());
                }
            }
            return out;
        } catch (IOException e) {
            throw new SluiceException("cannot list textFile path " + uri + ": " + e.getMessage(), e);
        }
    }

    @Override
    protected List<Partition> computePartitions() {
        List<Partition> out = new ArrayList<>(files.size());
        for (int i = 0; i < files.size(); i++) {
            out.add(new FilePartition(i, files.get(i)));
        }
        return out;
    }

    @Override
    protected List<NodeDependency> computeDependencies() {
        return List.of();
    }

    @Override
    protected Iterator<String> compute(Partition partition, TaskContext context) {
        String file = files.get(partition.index());
        try {
            Path path = new Path(file);
            BufferedReader reader = new BufferedReader(
                    new InputStreamReader(path.getFileSystem(conf).open(path), StandardCharsets.UTF_8));
            try (reader) {
                List<String> lines = new ArrayList<>();
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    lines.add(line);
                }
                return lines.iterator();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
