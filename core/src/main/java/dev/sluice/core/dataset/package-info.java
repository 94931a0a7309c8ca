/**
 * The dataset implementations behind {@link dev.sluice.core.Dataset}'s transformations: fused
 * narrow operators over iterators, unions, coalescing, shuffled and co-grouped datasets, parallel
 * collections, text files and checkpoint readers, plus the dependency kinds.
 *
 * <p>Not API; may change.
 */
package dev.sluice.core.dataset;
