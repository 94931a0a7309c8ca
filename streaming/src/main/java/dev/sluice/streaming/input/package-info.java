/**
 * Receivers and their plumbing: the supervisor that runs a receiver on its own thread and
 * restarts it with back-off, the tracker that cuts what receivers stored into blocks and
 * allocates them to batches, the dataset over a batch's blocks, and the socket receiver.
 *
 * <p>Not API; may change.
 */
package dev.sluice.streaming.input;
