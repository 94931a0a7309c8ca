/**
 * Exactly-once outputs: the output commit log each output operation keeps in the checkpoint
 * directory (which batches it completed, so a replay after a crash does not run it again), the
 * engine side of the {@code TransactionalSink} protocol (begin, one task per partition, commit,
 * abort), and the manifest log of the Hadoop-file sink. Depends only on the API packages and the
 * core engine, so the stream graph and the scheduler can both use it. Not API; may change.
 */
package dev.sluice.streaming.output;
