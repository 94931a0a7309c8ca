package dev.sluice.core.shuffle;

/**
 * A reduce task found a map output missing (released, or lost). Not a task failure: the
 * scheduler recomputes the missing map outputs from lineage and runs the stage again.
 */
public final class FetchFailedException extends RuntimeException {
    private final int shuffleId;
    private final int mapIndex;

    /** Creates the exception for map output {@code mapIndex} of shuffle {@code shuffleId}. */
    public FetchFailedException(int shuffleId, int mapIndex) {
        super("shuffle " + shuffleId + " is missing the output of map task " + mapIndex, null, false, false);
        this.shuffleId = shuffleId;
        this.mapIndex = mapIndex;
    }

    /** Returns the shuffle id. */
    public int shuffleId() {
        return shuffleId;
    }

    /** Returns the missing map output's index. */
    public int mapIndex() {
        return mapIndex;
    }
}
