/**
 * Kryo serialization for everything that leaves the heap: serialized and on-disk blocks,
 * dataset checkpoints and, later, the write-ahead log. Owns the pooled, pre-configured Kryo
 * instances and the extra serializers the JDK's collection wrappers need on Java 17.
 *
 * <p>Not API; may change.
 */
package dev.sluice.core.serializer;
