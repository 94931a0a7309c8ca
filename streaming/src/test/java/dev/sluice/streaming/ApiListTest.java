package dev.sluice.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Dataset;
import dev.sluice.core.Engine;
import dev.sluice.core.PairDataset;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The README's API section lists every operation of the handles; this test fails when a public
 * method is added to (or removed from) one of them without the list here, which mirrors the
 * README's list, being updated too.
 */
class ApiListTest {

    private static Set<String> publicMethods(Class<?> type) {
        Set<String> out = new TreeSet<>();
        for (Method m : type.getDeclaredMethods()) {
            if (Modifier.isPublic(m.getModifiers()) && !m.isSynthetic() && !m.isBridge()
                    && !Set.of("toString", "equals", "hashCode").contains(m.getName())) {
                out.add(m.getName());
            }
        }
        return out;
    }

    @Test
    void dstream_everyPublicMethod_isInTheApiList() {
        Set<String> transformations = Set.of("map", "filter", "flatMap", "mapMulti", "mapPartitions", "mapToPair",
                "union", "repartition", "count", "countByValue", "reduce", "transform", "transformToPair",
                "transformWith", "slice");
        Set<String> windows = Set.of("window", "reduceByWindow", "countByWindow", "countByValueAndWindow");
        Set<String> outputs = Set.of("foreachBatch", "foreachBatchWithId", "print", "saveAsTextFiles",
                "writeTransactionally");
        Set<String> settingsAndIntrospection = Set.of("persist", "cache", "checkpoint", "setName", "uid", "context", "id",
                "name", "slideDuration", "dependencies", "rememberedTimes", "rememberDuration", "storageLevel",
                "checkpointInterval");
        Set<String> listed = new TreeSet<>();
        listed.addAll(transformations);
        listed.addAll(windows);
        listed.addAll(outputs);
        listed.addAll(settingsAndIntrospection);

        assertThat(publicMethods(DStream.class)).isEqualTo(listed);
    }

    @Test
    void pairDStream_everyPublicMethod_isInTheApiList() {
        Set<String> listed = new TreeSet<>(Set.of("of", "mapValues", "flatMapValues", "groupByKey", "reduceByKey",
                "combineByKey", "transformToPair", "join", "leftOuterJoin", "rightOuterJoin", "fullOuterJoin",
                "cogroup", "groupByKeyAndWindow", "reduceByKeyAndWindow", "updateStateByKey", "mapWithState",
                // re-declared to return PairDStream
                "persist", "cache", "checkpoint", "setName", "uid"));

        assertThat(publicMethods(PairDStream.class)).isEqualTo(listed);
    }

    @Test
    void streamingContext_everyPublicMethod_isInTheApiList() {
        Set<String> inputs = Set.of("socketTextStream", "receiverStream", "textFileStream", "fileStream",
                "binaryRecordsStream", "queueStream", "listStream");
        Set<String> streams = Set.of("union", "transform", "remember", "deadLetters");
        Set<String> lifecycle = Set.of("builder", "start", "stop", "close", "awaitTermination",
                "awaitTerminationOrTimeout", "lifecycle", "state", "engine", "batchInterval", "clock", "addListener",
                "removeListener", "receiverStatuses", "meterRegistry", "webUiUrl", "stopReport", "getOrCreate", "recoveryReport");
        Set<String> listed = new TreeSet<>();
        listed.addAll(inputs);
        listed.addAll(streams);
        listed.addAll(lifecycle);

        assertThat(publicMethods(StreamingContext.class)).isEqualTo(listed);
    }

    @Test
    void datasets_everyPublicMethod_isInTheApiList() {
        Set<String> transformations = Set.of("map", "filter", "flatMap", "mapMulti", "mapPartitions", "mapToPair",
                "keyBy", "glom", "sample", "union", "distinct", "repartition", "coalesce");
        Set<String> actions = Set.of("collect", "count", "reduce", "fold", "take", "first", "foreach",
                "foreachPartition", "saveAsTextFile");
        Set<String> settingsAndIntrospection = Set.of("persist", "cache", "unpersist", "checkpoint", "isCheckpointed",
                "checkpointFile", "storageLevel", "isFullyCached", "setName", "id", "name", "engine", "partitions",
                "numPartitions", "dependencies", "partitioner", "lineage");
        Set<String> listed = new TreeSet<>();
        listed.addAll(transformations);
        listed.addAll(actions);
        listed.addAll(settingsAndIntrospection);
        Set<String> pairs = new TreeSet<>(Set.of("of", "mapValues", "flatMapValues", "keys", "values", "reduceByKey",
                "foldByKey", "aggregateByKey", "combineByKey", "groupByKey", "partitionBy", "sortByKey", "join",
                "leftOuterJoin", "rightOuterJoin", "fullOuterJoin", "cogroup", "subtractByKey", "collectAsMap",
                "countByKey", "persist", "cache", "unpersist", "checkpoint", "setName"));

        assertThat(publicMethods(Dataset.class)).isEqualTo(listed);
        assertThat(publicMethods(PairDataset.class)).isEqualTo(pairs);
    }

    @Test
    void engine_everyPublicMethod_isInTheApiList() {
        Set<String> listed = new TreeSet<>(Set.of("local", "builder", "parallelize", "parallelizePairs", "textFile",
                "emptyDataset", "union", "broadcast", "longAccumulator", "doubleAccumulator", "collectionAccumulator",
                "accumulator", "appName", "parallelism", "checkpointDir", "isClosed", "close"));

        assertThat(publicMethods(Engine.class)).isEqualTo(listed);
    }
}
