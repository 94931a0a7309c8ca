/**
 * The in-memory shuffle: shuffle dependencies, the aggregator that combines values by key on
 * both sides of a shuffle, map outputs (per-reducer buckets of flattened key/value arrays) and
 * the manager that holds them until the datasets that need them are released.
 *
 * <p>Not API; may change.
 */
package dev.sluice.core.shuffle;
