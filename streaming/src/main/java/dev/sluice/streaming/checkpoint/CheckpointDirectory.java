package dev.sluice.streaming.checkpoint;

import static com.google.common.base.Preconditions.checkNotNull;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Checks a context's checkpoint directory when the context starts, so a directory that cannot
 * hold checkpoints fails {@code start()} with the path and the fix, instead of failing the first
 * checkpoint seconds later and every batch after it.
 *
 * <p>The checks, in order: the text is a valid URI; its file system can be reached; neither the
 * path nor any parent is a file; the directory exists or can be created; a probe file can be
 * written in it and deleted again.
 */
public final class CheckpointDirectory {
    private CheckpointDirectory() {
    }

    /**
     * Checks {@code uri} as described above; creates the directory if it is missing.
     *
     * @throws IllegalStateException naming the path, what is wrong and how to fix it
     */
    public static void check(String uri, Configuration conf) {
        checkNotNull(uri, "uri");
        checkNotNull(conf, "conf");
        Path dir = parse(uri);
        FileSystem fs;
        try {
            fs = dir.getFileSystem(conf);
        } catch (IOException | RuntimeException e) {
            throw refuse(uri, "its file system cannot be reached (" + e.getMessage() + ")",
                    "use a URI of a file system this program can reach, such as file:///path or hdfs://namenode/path", e);
        }
        for (Path p = dir; p != null; p = p.getParent()) {
            FileStatus status = statusOrNull(fs, p, uri);
            if (status == null) {
                continue;
            }
            if (status.isFile()) {
                throw refuse(uri, p.equals(dir) ? "it is a file" : "it lies under " + p + ", which is a file",
                        "use a directory path, or remove that file", null);
            }
            break;
        }
        createAndProbe(fs, dir, uri);
    }

    private static Path parse(String uri) {
        try {
            URI parsed = new URI(uri);
            if (parsed.getPath() == null || parsed.getPath().isEmpty()) {
                throw refuse(uri, "it has no path", "use a URI with a path, such as file:///tmp/ckpt or "
                        + "hdfs://namenode/ckpt/app", null);
            }
            return new Path(parsed);
        } catch (URISyntaxException e) {
            throw refuse(uri, "it is not a valid URI (" + e.getMessage() + ")",
                    "escape spaces and special characters (%20), or use a plain path such as /tmp/ckpt", e);
        }
    }

    private static FileStatus statusOrNull(FileSystem fs, Path p, String uri) {
        try {
            return fs.exists(p) ? fs.getFileStatus(p) : null;
        } catch (IOException e) {
            throw refuse(uri, "cannot read " + p + " (" + e.getMessage() + ")", "check the path and its permissions", e);
        }
    }

    private static void createAndProbe(FileSystem fs, Path dir, String uri) {
        try {
            if (!fs.mkdirs(dir)) {
                throw refuse(uri, "the directory cannot be created", "create it yourself, or choose a path you may "
                        + "create directories in", null);
            }
        } catch (IOException e) {
            throw refuse(uri, "the directory cannot be created (" + e.getMessage() + ")",
                    "create it yourself, or choose a path you may create directories in", e);
        }
        Path probe = new Path(dir, ".sluice-write-probe-" + UUID.randomUUID());
        try {
            try (FSDataOutputStream out = fs.create(probe, false)) {
                out.write(1);
            }
            fs.delete(probe, false);
        } catch (IOException e) {
            throw refuse(uri, "it cannot be written (" + e.getMessage() + ")",
                    "give this program write permission on it, or choose another directory", e);
        }
    }

    private static IllegalStateException refuse(String uri, String problem, String fix, Throwable cause) {
        return new IllegalStateException("checkpoint directory '" + uri + "' cannot be used: " + problem + "; " + fix,
                cause);
    }
}
