package dev.sluice.core;

/** Placeholder, replaced by the real dataset. */
public abstract class Dataset<T> {
}
