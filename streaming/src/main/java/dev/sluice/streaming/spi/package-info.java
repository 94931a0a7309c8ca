/**
 * The seam for input and output modules built on the stream engine (the Kafka module): register an
 * input node on a context's graph and get the public {@link dev.sluice.streaming.DStream} handle
 * of it, without making engine-only methods part of the API.
 *
 * <p>Not API; may change.
 */
package dev.sluice.streaming.spi;
