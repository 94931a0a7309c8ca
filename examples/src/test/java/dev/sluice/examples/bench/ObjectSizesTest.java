package dev.sluice.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Checks JOL's sizes against the layout the running JVM reports through {@code sun.misc.Unsafe}
 * (field offsets, array base offsets) and its object alignment, computed here independently.
 */
class ObjectSizesTest {
    private static final sun.misc.Unsafe UNSAFE = unsafe();
    private static final long ALIGNMENT = Long.parseLong(ManagementFactory
            .getPlatformMXBean(HotSpotDiagnosticMXBean.class).getVMOption("ObjectAlignmentInBytes").getValue());

    @Test
    void deepSize_latin1StringsOfKnownLength_isStringPlusItsByteArray() {
        for (String s : List.of("", "k0000012345", "w1", "a".repeat(100))) {
            long expected = shallow(String.class) + align(UNSAFE.arrayBaseOffset(byte[].class) + s.length());
            assertThat(ObjectSizes.deepSize(List.of(s))).as("'%s'", s).isEqualTo(expected);
        }
    }

    @Test
    void perEntry_distinctKeysAndOneSharedValue_countsTheSharedValueOnce() {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            keys.add(StateScaleBench.key(i));
        }
        Long shared = 1_000_000L;
        long string = shallow(String.class) + align(UNSAFE.arrayBaseOffset(byte[].class) + 11);

        double perEntry = ObjectSizes.perEntry(keys, Collections.nCopies(1000, shared));

        assertThat(perEntry).isEqualTo(string + shallow(Long.class) / 1000.0);
    }

    @Test
    void deepSize_distinctLongsAndAnArray_isTheirLayout() {
        List<Object> roots = new ArrayList<>();
        for (long i = 0; i < 500; i++) {
            roots.add(Long.valueOf(1_000_000L + i));
        }
        Object[] array = new Object[7];
        roots.add(array);
        long expected = 500 * shallow(Long.class)
                + align(UNSAFE.arrayBaseOffset(Object[].class) + 7L * UNSAFE.arrayIndexScale(Object[].class));

        assertThat(ObjectSizes.deepSize(roots)).isEqualTo(expected);
    }

    @Test
    void perEntry_keysAndValuesOfDifferentLengths_throwsNamingBoth() {
        assertThatThrownBy(() -> ObjectSizes.perEntry(List.of("a", "b"), List.of(1L)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 keys, 1 values");
    }

    /** Size of an instance of {@code type} (which has instance fields): its last field's end, aligned. */
    private static long shallow(Class<?> type) {
        long end = 0;
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (!Modifier.isStatic(f.getModifiers())) {
                    end = Math.max(end, UNSAFE.objectFieldOffset(f) + sizeOf(f.getType()));
                }
            }
        }
        return align(end);
    }

    private static long sizeOf(Class<?> t) {
        Map<Class<?>, Integer> primitives = Map.of(long.class, 8, double.class, 8, int.class, 4, float.class, 4,
                short.class, 2, char.class, 2, byte.class, 1, boolean.class, 1);
        return t.isPrimitive() ? primitives.get(t) : UNSAFE.arrayIndexScale(Object[].class);
    }

    private static long align(long bytes) {
        return (bytes + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    private static sun.misc.Unsafe unsafe() {
        try {
            Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return (sun.misc.Unsafe) f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("no sun.misc.Unsafe in this JVM", e);
        }
    }
}
