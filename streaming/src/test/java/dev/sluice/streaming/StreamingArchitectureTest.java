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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streaming API's public signatures use only API and JDK types, every internal package
 * says it is internal, and the internal packages have no dependency cycles (see STYLE.md,
 * "Layout").
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

    /** A qualified type name in code: group 1 is its package (the lower-case segments before the type). */
    private static final Pattern QUALIFIED_TYPE = Pattern.compile("\\b((?:[a-z][a-z0-9_]*\\.)+[a-z][a-z0-9_]*)\\.[A-Z]");
    private static final Pattern COMMENT = Pattern.compile("//[^\\n]*|/\\*.*?\\*/", Pattern.DOTALL);

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

    @Test
    void internalPackages_haveNoDependencyCycles() throws IOException {
        assertThat(internalPackageCycles(Path.of("src/main/java"), API_PACKAGES::contains))
                .as("cycles among streaming's internal packages (each a list of packages that reach each other)")
                .isEmpty();
    }

    @Test
    void internalPackageCycles_twoPackagesImportingEachOther_isFound(@TempDir Path root) throws IOException {
        write(root, "x/api/Api.java", "package x.api; import x.a.A; public class Api { }");
        write(root, "x/a/A.java", "package x.a; import x.b.B; import x.api.Api; public class A { }");
        write(root, "x/b/B.java", "package x.b;\n// x.c.C in a comment is no reference\n"
                + "public class B { x.a.A back; }");
        write(root, "x/c/C.java", "package x.c; import x.a.A; import x.api.Api; public class C { }");

        assertThat(packageDependencies(root)).containsEntry("x.b", Set.of("x.a"))
                .containsEntry("x.a", Set.of("x.b", "x.api"));
        assertThat(internalPackageCycles(root, "x.api"::equals)).containsExactly(List.of("x.a", "x.b"));
        assertThat(internalPackageCycles(root, pkg -> pkg.equals("x.api") || pkg.equals("x.b"))).isEmpty();
    }

    private static void write(Path root, String file, String text) throws IOException {
        Path path = root.resolve(file);
        Files.createDirectories(path.getParent());
        Files.writeString(path, text);
    }

    /**
     * Returns, for every package with sources under {@code sourceRoot}, the other such packages
     * it refers to: by imports (static ones included) and by qualified names in code; comments
     * are ignored, and so are packages without sources there (the JDK, other modules).
     */
    static Map<String, Set<String>> packageDependencies(Path sourceRoot) throws IOException {
        Map<String, Set<String>> deps = new TreeMap<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(sourceRoot)) {
            files = walk.filter(f -> f.toString().endsWith(".java")).toList();
        }
        for (Path f : files) {
            String pkg = sourceRoot.relativize(f.getParent()).toString().replace(File.separatorChar, '.');
            Set<String> used = deps.computeIfAbsent(pkg, k -> new TreeSet<>());
            Matcher m = QUALIFIED_TYPE.matcher(COMMENT.matcher(Files.readString(f)).replaceAll(" "));
            while (m.find()) {
                used.add(m.group(1));
            }
        }
        deps.forEach((pkg, used) -> {
            used.retainAll(deps.keySet());
            used.remove(pkg);
        });
        return deps;
    }

    /**
     * Returns the dependency cycles among the internal packages under {@code sourceRoot}: each
     * strongly connected set of two or more packages, sorted. API packages (those
     * {@code isApiPackage} accepts) are left out of the graph, since an API package and its
     * internals may refer to each other; a cycle through an API package is not reported.
     */
    static List<List<String>> internalPackageCycles(Path sourceRoot, Predicate<String> isApiPackage)
            throws IOException {
        Map<String, Set<String>> graph = new TreeMap<>();
        packageDependencies(sourceRoot).forEach((pkg, used) -> {
            if (!isApiPackage.test(pkg)) {
                graph.put(pkg, used.stream().filter(u -> !isApiPackage.test(u)).collect(Collectors.toCollection(TreeSet::new)));
            }
        });
        List<List<String>> cycles = new ArrayList<>();
        for (String pkg : graph.keySet()) {
            Set<String> component = new TreeSet<>();
            for (String other : graph.keySet()) {
                if (reaches(graph, pkg, other) && reaches(graph, other, pkg)) {
                    component.add(other);
                }
            }
            List<String> cycle = List.copyOf(component);
            if (cycle.size() > 1 && !cycles.contains(cycle)) {
                cycles.add(cycle);
            }
        }
        return cycles;
    }

    private static boolean reaches(Map<String, Set<String>> graph, String from, String to) {
        Deque<String> todo = new ArrayDeque<>(graph.getOrDefault(from, Set.of()));
        Set<String> seen = new HashSet<>();
        while (!todo.isEmpty()) {
            String next = todo.pop();
            if (next.equals(to)) {
                return true;
            }
            if (seen.add(next)) {
                todo.addAll(graph.getOrDefault(next, Set.of()));
            }
        }
        return false;
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
