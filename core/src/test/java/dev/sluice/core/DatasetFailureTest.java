package dev.sluice.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What goes wrong, and what the caller is told: bad arguments fail at the call naming the
 * argument; a user function that throws fails its job with the user's exception as the cause.
 */
class DatasetFailureTest {
    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension();

    private static final IllegalStateException UNCHECKED = new IllegalStateException("unchecked boom");

    @TempDir
    Path tempDir;

    private static Dataset<Integer> numbers() {
        return ENGINE.engine().parallelize(List.of(1, 2, 3, 4, 5, 6), 3);
    }

    private static PairDataset<Integer, Integer> pairs() {
        return numbers().mapToPair(x -> Pair.of(x % 2, x));
    }

    private static Arguments call(String argument, ThrowingCallable call) {
        return Arguments.of(argument, call);
    }

    static Stream<Arguments> nullArguments() {
        return Stream.of(
                call("f", () -> numbers().map(null)),
                call("f", () -> numbers().filter(null)),
                call("f", () -> numbers().flatMap(null)),
                call("f", () -> numbers().mapMulti(null)),
                call("f", () -> numbers().mapPartitions(null)),
                call("f", () -> numbers().mapToPair(null)),
                call("f", () -> numbers().keyBy(null)),
                call("f", () -> numbers().reduce(null)),
                call("f", () -> numbers().fold(0, null)),
                call("f", () -> numbers().foreach(null)),
                call("f", () -> numbers().foreachPartition(null)),
                call("other", () -> numbers().union(null)),
                call("level", () -> numbers().persist(null)),
                call("f", () -> pairs().reduceByKey(null)),
                call("f", () -> pairs().foldByKey(0, null)),
                call("seqOp", () -> pairs().aggregateByKey(0, null, Integer::sum)),
                call("combOp", () -> pairs().aggregateByKey(0, Integer::sum, null)),
                call("createCombiner", () -> pairs().combineByKey(null, Integer::sum, Integer::sum)),
                call("mergeValue", () -> pairs().combineByKey(v -> v, null, Integer::sum)),
                call("mergeCombiners", () -> pairs().combineByKey(v -> v, Integer::sum, null)),
                call("partitioner", () -> pairs().reduceByKey(Integer::sum, (Partitioner) null)),
                call("partitioner", () -> pairs().partitionBy(null)),
                call("f", () -> pairs().mapValues(null)),
                call("f", () -> pairs().flatMapValues(null)),
                call("comparator", () -> pairs().sortByKey(null, true, 2)),
                call("other", () -> pairs().join(null)),
                call("other", () -> pairs().cogroup(null)),
                call("other", () -> pairs().leftOuterJoin(null)),
                call("other", () -> pairs().subtractByKey(null)),
                call("data", () -> ENGINE.engine().parallelize(null, 2)),
                call("uri", () -> ENGINE.engine().textFile(null)),
                call("datasets", () -> ENGINE.engine().union(null)));
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("nullArguments")
    void transformation_nullArgument_failsAtTheCallNamingIt(String argument, ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOf(NullPointerException.class).hasMessage(argument);
    }

    static Stream<Arguments> nonPositivePartitionCounts() {
        return Stream.of(0, -1).flatMap(n -> Stream.of(
                call("parallelize", () -> ENGINE.engine().parallelize(List.of(1), n)),
                call("repartition", () -> numbers().repartition(n)),
                call("coalesce", () -> numbers().coalesce(n)),
                call("distinct", () -> numbers().distinct(n)),
                call("reduceByKey", () -> pairs().reduceByKey(Integer::sum, n)),
                call("groupByKey", () -> pairs().groupByKey(n)),
                call("combineByKey", () -> pairs().combineByKey(v -> v, Integer::sum, Integer::sum, n)),
                call("sortByKey", () -> pairs().sortByKey(true, n)),
                call("HashPartitioner", () -> new HashPartitioner(n))));
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("nonPositivePartitionCounts")
    void operation_nonPositiveNumPartitions_failsAtTheCallNamingIt(String operation, ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("numPartitions must be > 0, got ");
    }

    @Test
    void otherArguments_outOfRange_failWithRuleAndValue() {
        assertThatThrownBy(() -> numbers().take(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("n must be >= 0, got -1");
        assertThatThrownBy(() -> numbers().sample(1.5, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fraction").hasMessageContaining("1.5");
        assertThatThrownBy(() -> Engine.local(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("parallelism must be > 0, got 0");
        assertThatThrownBy(() -> Engine.builder().maxTaskAttempts(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxTaskAttempts must be > 0, got 0");
        assertThatThrownBy(() -> ENGINE.engine().union(List.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("emptyDataset()");
    }

    /** A failing function's dataset, and the partition the failing element is in. */

    static Stream<Arguments> userExceptions() {
        return Stream.of(Arguments.of(UNCHECKED), Arguments.of(new IOException("checked boom")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("userExceptions")
    void action_userFunctionThrows_failsJobWithUsersExceptionAsCause(Exception thrown) {
        // Element 5 is in the last of 3 partitions of [1..6].
        Dataset<Integer> failing = numbers().map(x -> {
            if (x == 5) {
                throw thrown;
            }
            return x;
        });

        assertThatThrownBy(failing::collect).isInstanceOf(JobFailedException.class)
                .hasMessageContaining("partition 2")
                .hasMessageContaining("(id " + failing.id() + ")")
                .hasMessageContaining(thrown.getMessage())
                .satisfies(e -> {
                    JobFailedException failed = (JobFailedException) e;
                    assertThat(failed.getCause()).isSameAs(thrown);
                    assertThat(failed.datasetId()).isEqualTo(failing.id());
                    assertThat(failed.partition()).isEqualTo(2);
                    assertThat(failed.attempts()).isEqualTo(3);
                });
    }

    @Test
    void action_reduceFunctionThrowsInShuffle_failsJobWithUsersExceptionAsCause() {
        PairDataset<Integer, Integer> failing = pairs().reduceByKey((a, b) -> {
            throw UNCHECKED;
        });

        assertThatThrownBy(failing::collect).isInstanceOf(JobFailedException.class).hasCause(UNCHECKED)
                .satisfies(e -> assertThat(e.getCause()).isSameAs(UNCHECKED));
    }

    @Test
    void engine_afterFailedJob_runsNextJob() {
        Dataset<Integer> failing = numbers().map(x -> {
            throw UNCHECKED;
        });
        assertThatThrownBy(failing::count).isInstanceOf(JobFailedException.class);

        assertThat(numbers().map(x -> x * 10).collect()).containsExactly(10, 20, 30, 40, 50, 60);
        assertThat(pairs().reduceByKey(Integer::sum).collectAsMap()).containsEntry(0, 12).containsEntry(1, 9);
    }

    @Test
    void textFile_missingPath_failsNamingThePath() {
        String missing = tempDir.resolve("no-such-file.txt").toUri().toString();

        assertThatThrownBy(() -> ENGINE.engine().textFile(missing)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(missing);
    }

    @Test
    void checkpoint_engineWithoutCheckpointDir_failsSayingHowToSetOne() {
        assertThatThrownBy(() -> numbers().checkpoint()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no checkpoint directory")
                .hasMessageContaining("Engine.builder().checkpointDir(");
    }

    @Test
    void reduceAndFirst_emptyDataset_failSayingItIsEmpty() {
        Dataset<Integer> empty = numbers().filter(x -> x > 100);

        assertThatThrownBy(() -> empty.reduce(Integer::sum)).isInstanceOf(NoSuchElementException.class)
                .hasMessageContaining("empty").hasMessageContaining("fold(");
        assertThatThrownBy(empty::first).isInstanceOf(NoSuchElementException.class).hasMessageContaining("empty");
        assertThat(empty.fold(0, Integer::sum)).isZero();
    }

    @Test
    void persist_otherLevelThanBefore_failsSayingToUnpersist() {
        Dataset<Integer> cached = numbers().cache();

        assertThatThrownBy(() -> cached.persist(StorageLevel.DISK)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("unpersist()");
    }

    @Test
    void action_closedEngine_failsSayingItIsClosed() {
        Engine engine = Engine.local(1);
        Dataset<Integer> data = engine.parallelize(List.of(1), 1);
        engine.close();

        assertThatThrownBy(data::collect).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void textFile_existingFiles_readsLinesInFileOrder(@TempDir Path dir) throws IOException {
        java.nio.file.Files.writeString(dir.resolve("a.txt"), "one\ntwo\n");
        java.nio.file.Files.writeString(dir.resolve("b.txt"), "three\n");
        java.nio.file.Files.writeString(dir.resolve("_SUCCESS"), "");

        Dataset<String> lines = ENGINE.engine().textFile(dir.toUri().toString());

        assertThat(lines.numPartitions()).isEqualTo(2);
        assertThat(lines.collect()).containsExactly("one", "two", "three");
    }

    @Test
    void saveAsTextFile_thenTextFile_roundTrips() {
        String out = tempDir.resolve("out").toUri().toString();

        numbers().saveAsTextFile(out);

        assertThat(ENGINE.engine().textFile(out).map(Integer::valueOf).collect()).containsExactly(1, 2, 3, 4, 5, 6);
        assertThatThrownBy(() -> numbers().saveAsTextFile(out)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("out");
    }
}
