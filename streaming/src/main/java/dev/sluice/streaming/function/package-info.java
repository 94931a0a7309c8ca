/** The functional interfaces of the streaming API: transforms and per-batch output functions. */
package dev.sluice.streaming.function;
