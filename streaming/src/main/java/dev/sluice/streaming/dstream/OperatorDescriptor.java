package dev.sluice.streaming.dstream;

import static com.google.common.base.Preconditions.checkNotNull;

/**
 * What operator a node of the stream graph is: its kind, and its name (the operation's name
 * until the user renames the stream with {@code setName}). A value: renaming makes a new one.
 *
 * @param kind the operator kind
 * @param name the name shown in logs, errors and the UI
 */
public record OperatorDescriptor(OperatorKind kind, String name) {

    /** Checks both are present. */
    public OperatorDescriptor {
        checkNotNull(kind, "kind");
        checkNotNull(name, "name");
    }

    /** Returns the descriptor of a node of {@code kind} named after its operation. */
    public static OperatorDescriptor of(OperatorKind kind) {
        return new OperatorDescriptor(kind, kind.operation());
    }

    /** Returns a copy named {@code newName}. */
    public OperatorDescriptor withName(String newName) {
        return new OperatorDescriptor(kind, newName);
    }
}
