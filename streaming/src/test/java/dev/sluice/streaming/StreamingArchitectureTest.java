package dev.sluice.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The streaming API's public signatures use only API and JDK types, and every internal package
 * says it is internal (see STYLE.md, "Layout").
 */
class StreamingArchitectureTest {
    private static final Set<String> API_PACKAGES = Set.of("dev.sluice.core", "dev.sluice.core.function",
            "dev.sluice.streaming", "dev.sluice.streaming.function", "dev.sluice.streaming.testing");
    private static final List<String> CHECKED_PACKAGES = List.of("dev.sluice.streaming",
            "dev.sluice.streaming.function", "dev.sluice.streaming.testing");
    /**
     * Non-API types a public signature may use anyway: the builder takes a Micrometer registry,
     * because that is how users plug in Prometheus, JMX or their own (a decision of issue 13).
     */
    private static final Set<String> ALLOWED_TYPES = Set.of("io.micrometer.core.instrument.MeterRegistry");
    private static final Path SOURCES = Path.of("src/main/java/dev/sluice/streaming");

    @Test
    void publicSignatures_ofApiClasses_useOnlyApiAndJdkTypes() throws Exception {
        List<String> violations = new ArrayList<>();
        for (String pkg : CHECKED_PACKAGES) {
            for (Class<?> c : publicClassesOf(pkg)) {
                for (Method m : c.getDeclaredMethods()) {
                    if (Modifier.isPublic(m.getModifiers()) && !m.isSynthetic() && !m.isBridge()) {
                        check(m, m.getGenericReturnType(), violations);
                        checkParameters(m, violations);
                    }
                }
                for (Constructor<?> k : c.getConstructors()) {
                    checkParameters(k, violations);
                }
            }
        }
        assertThat(violations).as("public members whose signature uses a non-API type").isEmpty();
    }

    @Test
    void internalPackages_eachHavePackageInfo() throws IOException {
        List<Path> internal;
        try (Stream<Path> dirs = Files.list(SOURCES)) {
            internal = dirs.filter(Files::isDirectory)
                    .filter(d -> !Set.of("function", "testing").contains(d.getFileName().toString())).toList();
        }
        assertThat(internal).extracting(d -> d.getFileName().toString()).contains("dstream", "input", "scheduler");
        assertThat(internal).allSatisfy(d -> assertThat(d.resolve("package-info.java")).exists()
                .content().contains("Not API; may change."));
    }

    private static void checkParameters(Executable e, List<String> violations) {
        for (Type t : e.getGenericParameterTypes()) {
            check(e, t, violations);
        }
    }

    private static void check(Executable member, Type type, List<String> violations) {
        for (Class<?> used : classesIn(type)) {
            if (!isAllowed(used)) {
                violations.add(member.getDeclaringClass().getName() + "." + member.getName() + " uses "
                        + used.getName());
            }
        }
    }

    private static boolean isAllowed(Class<?> c) {
        if (c.isPrimitive()) {
            return true;
        }
        String pkg = c.getPackageName();
        return pkg.startsWith("java.") || API_PACKAGES.contains(pkg) || ALLOWED_TYPES.contains(c.getName());
    }

    /** Every class named in {@code type}: raw types, type arguments, bounds and array components. */
    private static List<Class<?>> classesIn(Type type) {
        List<Class<?>> out = new ArrayList<>();
        collect(type, out, new ArrayList<>());
        return out;
    }

    private static void collect(Type type, List<Class<?>> out, List<TypeVariable<?>> seen) {
        if (type instanceof Class<?> c) {
            out.add(c.isArray() ? c.getComponentType() : c);
        } else if (type instanceof ParameterizedType p) {
            collect(p.getRawType(), out, seen);
            for (Type arg : p.getActualTypeArguments()) {
                collect(arg, out, seen);
            }
        } else if (type instanceof WildcardType w) {
            Stream.concat(Stream.of(w.getUpperBounds()), Stream.of(w.getLowerBounds()))
                    .forEach(b -> collect(b, out, seen));
        } else if (type instanceof TypeVariable<?> v && !seen.contains(v)) {
            seen.add(v);
            for (Type bound : v.getBounds()) {
                collect(bound, out, seen);
            }
        } else if (type instanceof GenericArrayType a) {
            collect(a.getGenericComponentType(), out, seen);
        }
    }

    /** The public classes of {@code pkg}, nested ones included, read from the compiled classes directory. */
    private static List<Class<?>> publicClassesOf(String pkg) throws URISyntaxException, ClassNotFoundException {
        URL mainClasses = StreamingContext.class.getProtectionDomain().getCodeSource().getLocation();
        File[] files = Path.of(mainClasses.toURI()).resolve(pkg.replace('.', '/')).toFile()
                .listFiles((d, name) -> name.endsWith(".class"));
        assertThat(files).as("classes of %s", pkg).isNotNull();
        List<Class<?>> out = new ArrayList<>();
        for (File f : files) {
            String name = f.getName().substring(0, f.getName().length() - ".class".length());
            if (name.equals("package-info") || name.matches(".*\\$\\d.*")) {
                continue;
            }
            Class<?> c = Class.forName(pkg + "." + name, false, StreamingContext.class.getClassLoader());
            if (isVisible(c)) {
                out.add(c);
            }
        }
        assertThat(out).as("public classes of %s", pkg).isNotEmpty();
        return out;
    }

    private static boolean isVisible(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
            if (!Modifier.isPublic(k.getModifiers())) {
                return false;
            }
        }
        return true;
    }
}
