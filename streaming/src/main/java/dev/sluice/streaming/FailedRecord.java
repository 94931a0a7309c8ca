package dev.sluice.streaming;

import static com.google.common.base.Preconditions.checkNotNull;

/**
 * A record that an element-wise operation's user function threw on, skipped under {@link
 * BadRecordPolicy#SKIP}.
 *
 * @param record       the input record of the operation (for {@code mapValues} and
 *                     {@code flatMapValues}, the value)
 * @param operatorId   the id of the stream (graph node) whose function threw
 * @param operatorName that stream's name (the operation's, unless renamed with {@code setName})
 * @param batchTime    the batch during which the failure was reported
 * @param exception    what the function threw
 * @param <T>          the record type
 */
public record FailedRecord<T>(T record, int operatorId, String operatorName, Time batchTime, Throwable exception) {
    /** How much of a record's text a message shows. */
    public static final int SHOWN_CHARACTERS = 200;

    /** Checks the fields. */
    public FailedRecord {
        checkNotNull(operatorName, "operatorName");
        checkNotNull(batchTime, "batchTime");
        checkNotNull(exception, "exception");
    }

    /** Returns the record's text, cut to its first {@value #SHOWN_CHARACTERS} characters. */
    public static String shown(Object record) {
        String text = String.valueOf(record);
        return text.length() <= SHOWN_CHARACTERS ? text
                : text.substring(0, SHOWN_CHARACTERS) + "... (" + text.length() + " characters)";
    }

    /** Returns a message naming the record (its first 200 characters), the operator, the batch and the exception. */
    public String message() {
        return "record '" + shown(record) + "' failed in '" + operatorName + "' (stream " + operatorId + ") of batch "
                + batchTime + ": " + exception;
    }

    @Override
    public String toString() {
        return message();
    }
}
