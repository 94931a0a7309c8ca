package dev.sluice.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Dataset;
import dev.sluice.core.Engine;
import dev.sluice.core.PairDataset;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The layering rules of DESIGN.md, STYLE.md and issue 9, checked on the source trees of the
 * modules (paths relative to this module's directory, where the build runs its tests):
 * <ul>
 *   <li>no dependency cycles among a module's internal packages (an API package and its own
 *       internals may refer to each other; {@link #packageCycles} takes any module's source root);</li>
 *   <li>{@code streaming} uses only core's API and SPI packages; core never uses streaming;
 *       examples use only API packages;</li>
 *   <li>public and protected members and supertypes of API types use only API or JDK types;</li>
 *   <li>each internal package has a package-info saying it is not API.</li>
 * </ul>
 */
class EngineArchitectureTest {
    private static final Set<String> API_PACKAGES = Set.of("dev.sluice.core", "dev.sluice.core.function",
            "dev.sluice.streaming", "dev.sluice.streaming.function", "dev.sluice.streaming.testing", "dev.sluice.kafka",
            "dev.sluice.kafka.testing");
    private static final Set<String> CORE_SPI_PACKAGES = Set.of("dev.sluice.core.spi");
    /**
     * Non-API types a public signature may use anyway: the builder takes a Micrometer registry,
     * because that is how users plug in Prometheus, JMX or their own (a decision of issue 13).
     */
    private static final Set<String> ALLOWED_TYPES = Set.of("io.micrometer.core.instrument.MeterRegistry");
    /**
     * The one benchmark that measures internal building blocks the API does not reach yet (the
     * write-ahead log and metadata checkpoint of issue 10), with the internal packages it may use.
     * Remove the entry once the context wires them and the bench can go through the API.
     */
    private static final Map<String, Set<String>> INTERNAL_BENCHMARKS = Map.of("WalBench.java",
            Set.of("dev.sluice.streaming.wal", "dev.sluice.streaming.checkpoint", "dev.sluice.core.spi"));
    private static final Pattern SLUICE_REFERENCE = Pattern.compile("\\bdev\\.sluice(?:\\.[A-Za-z_]\\w*)+");
    private static final Path CORE = Path.of("../core/src/main/java");
    private static final Path STREAMING = Path.of("src/main/java");
    private static final Path EXAMPLES = Path.of("../examples/src/main/java");
    private static final Path KAFKA = Path.of("../kafka/src/main/java");

    // ---------------------------------------------------------------- the rules

    @Test
    void coreInternalPackages_haveNoDependencyCycles() {
        Map<String, Set<String>> graph = packageGraph(CORE);

        assertThat(graph).containsKeys("dev.sluice.core.dataset", "dev.sluice.core.scheduler",
                "dev.sluice.core.shuffle", "dev.sluice.core.spi");
        assertThat(packageCycles(CORE)).as("cycles among core's internal packages; edges: %s", graph).isEmpty();
    }

    @Test
    void packageCycles_findsACycle_whenTwoInternalPackagesReferToEachOther(@org.junit.jupiter.api.io.TempDir Path root)
            throws IOException {
        write(root, "dev/sluice/x/a/A.java", "package dev.sluice.x.a;\nimport dev.sluice.x.b.B;\nclass A {}\n");
        write(root, "dev/sluice/x/b/B.java", "package dev.sluice.x.b;\nimport dev.sluice.x.a.A;\nclass B {}\n");
        write(root, "dev/sluice/x/c/C.java", "package dev.sluice.x.c;\nimport dev.sluice.x.a.A;\nclass C {}\n");

        assertThat(packageCycles(root)).containsExactly(Set.of("dev.sluice.x.a", "dev.sluice.x.b"));
    }

    @Test
    void streamingMain_usesOnlyCoreApiAndSpiPackages() {
        List<String> violations = new ArrayList<>();
        for (Path file : javaFiles(STREAMING)) {
            referencedPackages(file).stream()
                    .filter(p -> p.startsWith("dev.sluice.core"))
                    .filter(p -> !API_PACKAGES.contains(p) && !CORE_SPI_PACKAGES.contains(p))
                    .forEach(p -> violations.add(file + " uses core internal package " + p));
        }

        assertThat(javaFiles(STREAMING)).isNotEmpty();
        assertThat(violations).isEmpty();
    }

    @Test
    void coreMain_neverReferencesStreaming() {
        List<String> violations = new ArrayList<>();
        for (Path file : javaFiles(CORE)) {
            referencedPackages(file).stream().filter(p -> p.startsWith("dev.sluice.streaming"))
                    .forEach(p -> violations.add(file + " uses " + p));
        }

        assertThat(javaFiles(CORE)).isNotEmpty();
        assertThat(violations).isEmpty();
    }

    @Test
    void examplesMain_referenceOnlyApiPackages() {
        List<String> violations = new ArrayList<>();
        for (Path file : javaFiles(EXAMPLES)) {
            referencedPackages(file).stream()
                    .filter(p -> !API_PACKAGES.contains(p) && !p.startsWith("dev.sluice.examples"))
                    .filter(p -> !INTERNAL_BENCHMARKS.getOrDefault(file.getFileName().toString(), Set.of()).contains(p)
                            || !file.getParent().endsWith("bench"))
                    .forEach(p -> violations.add(file + " uses internal package " + p));
        }

        assertThat(javaFiles(EXAMPLES)).isNotEmpty();
        assertThat(violations).isEmpty();
    }

    @Test
    void internalPackages_haveNotApiPackageInfo() {
        List<String> violations = new ArrayList<>();
        for (Path root : List.of(CORE, STREAMING, KAFKA)) {
            javaFiles(root).stream().map(Path::getParent).distinct().forEach(dir -> {
                String pkg = packageName(root, dir);
                Path info = dir.resolve("package-info.java");
                if (!API_PACKAGES.contains(pkg) && !(Files.exists(info) && read(info).contains("Not API"))) {
                    violations.add(pkg + " needs a package-info.java saying \"Not API; may change\"");
                }
            });
        }

        assertThat(violations).isEmpty();
    }

    @Test
    void apiClasses_publicAndProtectedSignaturesAndSupertypes_useOnlyApiAndJdkTypes() {
        List<String> violations = new ArrayList<>();
        List<Class<?>> checked = new ArrayList<>();
        for (Path root : List.of(CORE, STREAMING)) {
            for (Path file : javaFiles(root)) {
                String pkg = packageName(root, file.getParent());
                if (API_PACKAGES.contains(pkg) && !file.getFileName().toString().equals("package-info.java")) {
                    String name = file.getFileName().toString().replaceAll("\\.java$", "");
                    loadClass(pkg + "." + name).ifPresent(c -> checkClass(c, checked, violations));
                }
            }
        }

        assertThat(checked).contains(Dataset.class, PairDataset.class, Engine.class, Engine.Builder.class,
                StreamingContext.class);
        assertThat(violations).isEmpty();
    }

    // ---------------------------------------------------------------- package graphs

    /**
     * Returns the dependency cycles among the internal packages under {@code sourceRoot}: each
     * cycle as the set of packages in one strongly connected component of more than one package
     * (or one that refers to itself through another). API packages are left out: an API package
     * and its internals may refer to each other.
     */
    static List<Set<String>> packageCycles(Path sourceRoot) {
        Map<String, Set<String>> graph = packageGraph(sourceRoot);
        List<Set<String>> out = new ArrayList<>();
        Set<String> done = new HashSet<>();
        for (String start : new TreeSet<>(graph.keySet())) {
            if (done.contains(start)) {
                continue;
            }
            Set<String> component = new TreeSet<>();
            for (String other : graph.keySet()) {
                if (reaches(graph, start, other) && reaches(graph, other, start)) {
                    component.add(other);
                }
            }
            done.addAll(component);
            done.add(start);
            if (component.size() > 1) {
                out.add(component);
            }
        }
        return out;
    }

    private static boolean reaches(Map<String, Set<String>> graph, String from, String to) {
        Set<String> seen = new HashSet<>();
        Deque<String> toVisit = new ArrayDeque<>(List.of(from));
        while (!toVisit.isEmpty()) {
            String current = toVisit.pop();
            if (current.equals(to)) {
                return true;
            }
            if (seen.add(current)) {
                toVisit.addAll(graph.getOrDefault(current, Set.of()));
            }
        }
        return false;
    }

    /** Returns, for each internal package under {@code sourceRoot}, the other internal packages there it refers to. */
    static Map<String, Set<String>> packageGraph(Path sourceRoot) {
        Map<String, Set<String>> graph = new TreeMap<>();
        for (Path file : javaFiles(sourceRoot)) {
            String pkg = packageName(sourceRoot, file.getParent());
            if (API_PACKAGES.contains(pkg)) {
                continue;
            }
            Set<String> edges = graph.computeIfAbsent(pkg, p -> new TreeSet<>());
            for (String used : referencedPackages(file)) {
                if (!used.equals(pkg) && !API_PACKAGES.contains(used) && isUnder(sourceRoot, used)) {
                    edges.add(used);
                }
            }
        }
        return graph;
    }

    private static boolean isUnder(Path sourceRoot, String pkg) {
        return Files.isDirectory(sourceRoot.resolve(pkg.replace('.', '/')));
    }

    // ---------------------------------------------------------------- reading sources

    private static void write(Path root, String file, String text) throws IOException {
        Path path = root.resolve(file);
        Files.createDirectories(path.getParent());
        Files.writeString(path, text);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Path> javaFiles(Path sourceRoot) {
        if (!Files.isDirectory(sourceRoot)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(sourceRoot)) {
            return files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String packageName(Path sourceRoot, Path dir) {
        return sourceRoot.relativize(dir).toString().replace(dir.getFileSystem().getSeparator(), ".");
    }

    /** The packages of Sluice a source file refers to: in imports and fully qualified names in code. */
    private static Set<String> referencedPackages(Path file) {
        Set<String> out = new HashSet<>();
        for (String line : read(file).lines().toList()) {
            String code = line.strip();
            if (code.startsWith("package ") || code.startsWith("*") || code.startsWith("/*") || code.startsWith("//")) {
                continue;
            }
            int comment = code.indexOf("//");
            Matcher m = SLUICE_REFERENCE.matcher(comment >= 0 ? code.substring(0, comment) : code);
            while (m.find()) {
                out.add(packageOf(m.group()));
            }
        }
        return out;
    }

    /** The package part of a qualified name: the segments before the first capitalized one. */
    private static String packageOf(String qualifiedName) {
        List<String> segments = new ArrayList<>();
        for (String segment : qualifiedName.split("\\.")) {
            if (Character.isUpperCase(segment.charAt(0))) {
                break;
            }
            segments.add(segment);
        }
        return String.join(".", segments);
    }

    // ---------------------------------------------------------------- API signatures

    private static Optional<Class<?>> loadClass(String name) {
        try {
            return Optional.of(Class.forName(name, false, EngineArchitectureTest.class.getClassLoader()));
        } catch (ClassNotFoundException e) {
            return Optional.empty();
        }
    }

    private static void checkClass(Class<?> type, List<Class<?>> checked, List<String> violations) {
        if (!Modifier.isPublic(type.getModifiers())) {
            return;
        }
        checked.add(type);
        checkType(type.getGenericSuperclass(), type + " extends", violations);
        for (Type parent : type.getGenericInterfaces()) {
            checkType(parent, type + " implements", violations);
        }
        for (Method m : type.getDeclaredMethods()) {
            if (isVisible(m) && !m.isSynthetic() && !m.isBridge()) {
                checkType(m.getGenericReturnType(), describe(m) + " returns", violations);
                checkParameters(m, violations);
            }
        }
        for (Constructor<?> c : type.getDeclaredConstructors()) {
            if (isVisible(c)) {
                checkParameters(c, violations);
            }
        }
        for (Field f : type.getDeclaredFields()) {
            if (isVisible(f.getModifiers()) && !f.isSynthetic()) {
                checkType(f.getGenericType(), type.getName() + "." + f.getName(), violations);
            }
        }
        for (Class<?> nested : type.getDeclaredClasses()) {
            checkClass(nested, checked, violations);
        }
    }

    private static boolean isVisible(Executable e) {
        return isVisible(e.getModifiers());
    }

    /** Public, or protected (what a subclass sees is API too). */
    private static boolean isVisible(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    private static void checkParameters(Executable e, List<String> violations) {
        for (Type parameter : e.getGenericParameterTypes()) {
            checkType(parameter, describe(e) + " takes", violations);
        }
        for (Type thrown : e.getGenericExceptionTypes()) {
            checkType(thrown, describe(e) + " throws", violations);
        }
    }

    private static String describe(Executable e) {
        return e.getDeclaringClass().getName() + "." + e.getName();
    }

    private static void checkType(Type type, String where, List<String> violations) {
        checkType(type, where, violations, new HashSet<>());
    }

    private static void checkType(Type type, String where, List<String> violations, Set<Type> seen) {
        if (type == null || !seen.add(type)) {
            return;
        }
        if (type instanceof Class<?> c) {
            while (c.isArray()) {
                c = c.getComponentType();
            }
            if (!c.isPrimitive() && !isApiOrJdk(c)) {
                violations.add(where + " " + c.getName());
            }
        } else if (type instanceof ParameterizedType p) {
            checkType(p.getRawType(), where, violations, seen);
            checkType(p.getOwnerType(), where, violations, seen);
            for (Type argument : p.getActualTypeArguments()) {
                checkType(argument, where, violations, seen);
            }
        } else if (type instanceof WildcardType w) {
            Stream.concat(Stream.of(w.getUpperBounds()), Stream.of(w.getLowerBounds()))
                    .forEach(b -> checkType(b, where, violations, seen));
        } else if (type instanceof TypeVariable<?> v) {
            for (Type bound : v.getBounds()) {
                checkType(bound, where, violations, seen);
            }
        } else if (type instanceof GenericArrayType a) {
            checkType(a.getGenericComponentType(), where, violations, seen);
        }
    }

    private static boolean isApiOrJdk(Class<?> type) {
        String pkg = type.getPackageName();
        return pkg.startsWith("java.") || API_PACKAGES.contains(pkg) || ALLOWED_TYPES.contains(type.getName());
    }
}
