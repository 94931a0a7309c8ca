/**
 * Broadcast variables behind {@link dev.sluice.core.Broadcast}: the handle that tasks capture (its
 * serialized form is only its id), the entry that holds the value's Kryo bytes once and the copy
 * deserialized from them once, and the per-engine store that creates and destroys them.
 *
 * <p>Not API; may change.
 */
package dev.sluice.core.broadcast;
