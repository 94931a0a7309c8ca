/**
 * The in-memory shuffle: shuffle dependencies (which hold their own map outputs, per-reducer
 * buckets of flattened key/value arrays), the shuffled and co-grouped nodes that read them, the
 * aggregator that combines values by key on both sides of a shuffle, and the weak registry that
 * finds a shuffle by id without keeping it (or its outputs) alive.
 *
 * <p>Not API; may change.
 */
package dev.sluice.core.shuffle;
