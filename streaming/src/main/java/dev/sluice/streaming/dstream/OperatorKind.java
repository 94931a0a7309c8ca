package dev.sluice.streaming.dstream;

/**
 * What a node of the stream graph does, as a value: one constant per operator of the stream API
 * (and the few the engine adds under them, such as the per-batch reduction of a window). The
 * UI draws the graph with these kinds; crash recovery will key a node's checkpoints by its
 * stable id (its position in the graph) and check its kind, so constants may be added but not
 * renamed.
 */
public enum OperatorKind {
    QUEUE_INPUT("queueStream"),
    LIST_INPUT("testInput"),
    FILE_INPUT("textFileStream"),
    FILTERED_FILE_INPUT("fileStream"),
    BINARY_RECORDS_INPUT("binaryRecordsStream"),
    RECEIVER_INPUT("receiverStream"),
    KAFKA_INPUT("directStream"),
    MAP("map"),
    FILTER("filter"),
    FLAT_MAP("flatMap"),
    MAP_MULTI("mapMulti"),
    MAP_PARTITIONS("mapPartitions"),
    MAP_TO_PAIR("mapToPair"),
    REPARTITION("repartition"),
    COUNT("count"),
    REDUCE("reduce"),
    TRANSFORM("transform"),
    TRANSFORM_TO_PAIR("transformToPair"),
    TRANSFORM_WITH("transformWith"),
    TRANSFORM_ALL("transform"),
    UNION("union"),
    REDUCE_BY_KEY("reduceByKey"),
    COMBINE_BY_KEY("combineByKey"),
    GROUP_BY_KEY("groupByKey"),
    MAP_VALUES("mapValues"),
    FLAT_MAP_VALUES("flatMapValues"),
    JOIN("join"),
    LEFT_OUTER_JOIN("leftOuterJoin"),
    RIGHT_OUTER_JOIN("rightOuterJoin"),
    FULL_OUTER_JOIN("fullOuterJoin"),
    COGROUP("cogroup"),
    WINDOW("window"),
    KEYED_WINDOW("reduceByKeyAndWindow"),
    INCREMENTAL_WINDOW("reduceByKeyAndWindow"),
    UPDATE_STATE_BY_KEY("updateStateByKey"),
    MAP_WITH_STATE("mapWithState"),
    MAP_WITH_STATE_OUTPUTS("mapWithState"),
    STATE_SNAPSHOTS("stateSnapshots"),
    FOREACH_BATCH("foreachBatch"),
    PRINT("print"),
    SAVE_AS_TEXT_FILES("saveAsTextFiles"),
    WRITE_TRANSACTIONALLY("writeTransactionally");

    private final String operation;

    OperatorKind(String operation) {
        this.operation = operation;
    }

    /** Returns the API operation that makes this kind of node: the node's name unless renamed. */
    public String operation() {
        return operation;
    }
}
