/**
 * The core SPI: what another module of Sluice (the stream engine) may use of the engine beyond
 * the API, and nothing else. It offers
 * <ul>
 *   <li>{@link dev.sluice.core.spi.EngineServices}: per engine, the store of received
 *       {@link dev.sluice.core.spi.InputBlocks}, the Hadoop configuration, deleting old
 *       checkpoints and releasing the shuffle outputs behind a dataset;</li>
 *   <li>{@link dev.sluice.core.spi.NarrowDataset}: the base of a dataset defined outside core
 *       (received blocks, state batches), read partition by partition from its parents;</li>
 *   <li>{@link dev.sluice.core.spi.ZippedPartitionsDataset}: partition {@code i} of several
 *       co-partitioned datasets read side by side (window merges);</li>
 *   <li>stage reports ({@link dev.sluice.core.spi.StageReport}) of the engine's jobs, tagged by
 *       the thread that ran them, for diagnostics such as a batch's stages in the stream UI;</li>
 *   <li>{@link dev.sluice.core.spi.UserExceptions}: wrapping a user function's checked exception
 *       and unwrapping the user's own exception from the engine's wrappers.</li>
 * </ul>
 *
 * <p>The SPI reaches the package-private side of the API handles through one bridge created
 * when the SPI is first used and never replaceable; inside core everything is wired by
 * constructor.
 *
 * <p>Not API; may change. Users never need it; the architecture test checks that the stream
 * engine imports nothing else of core's internals.
 */
package dev.sluice.core.spi;
