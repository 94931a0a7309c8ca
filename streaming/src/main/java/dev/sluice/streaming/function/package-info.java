/** The functional interfaces of the streaming API: transforms, per-batch output functions and state functions. */
package dev.sluice.streaming.function;
