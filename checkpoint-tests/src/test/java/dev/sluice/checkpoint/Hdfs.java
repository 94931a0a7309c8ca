package dev.sluice.checkpoint;

import java.io.IOException;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;

/** An in-process HDFS (one name node, one data node) in a temporary directory, for one test class. */
final class Hdfs implements AutoCloseable {
    private final MiniDFSCluster cluster;

    private Hdfs(MiniDFSCluster cluster) {
        this.cluster = cluster;
    }

    static Hdfs start(Path baseDir) throws IOException {
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, baseDir.toAbsolutePath().toString());
        conf.setInt("dfs.replication", 1);
        // Start and stop fast: the defaults wait seconds for heartbeats and safe mode.
        conf.setInt("dfs.heartbeat.interval", 1);
        conf.setInt("dfs.namenode.safemode.extension", 0);
        conf.setInt("dfs.datanode.scan.period.hours", -1);
        conf.setBoolean("dfs.permissions.enabled", false);
        long t0 = System.nanoTime();
        MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).nameNodePort(0).build();
        cluster.waitActive();
        System.out.println("MiniDFSCluster up in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        return new Hdfs(cluster);
    }

    /** Returns the URI of {@code path} on this cluster, e.g. {@code hdfs://localhost:PORT/path}. */
    String uri(String path) {
        return cluster.getURI().resolve(path).toString();
    }

    Configuration conf() {
        return cluster.getConfiguration(0);
    }

    @Override
    public void close() {
        cluster.shutdown(true);
    }
}
