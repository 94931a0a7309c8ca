package dev.sluice.core;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A property test: the annotated method takes a {@code long seed}, builds random data and
 * partition counts from it ({@link RandomData}) and compares the engine's result with a plain
 * Java reference. Runs once per seed in {@link RandomData#seeds()}; put the seed in every
 * assertion description ({@code .as("seed %d", seed)}) so that a failure can be replayed.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@ParameterizedTest(name = "seed {0}")
@MethodSource("dev.sluice.core.RandomData#seeds")
@interface PropertyTest {
}
