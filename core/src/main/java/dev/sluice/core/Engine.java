package dev.sluice.core;

/** Placeholder, replaced by the real engine. */
public final class Engine {
}
