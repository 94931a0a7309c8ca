package dev.sluice.core;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The layering rules of DESIGN.md and STYLE.md, checked on the sources of every module: core
 * never sees streaming, examples use only API packages, API signatures use only API and JDK
 * types, and each internal package says it is not API.
 */
class ArchitectureTest {
    private static final Set<String> API_PACKAGES = Set.of("dev.sluice.core", "dev.sluice.core.function",
            "dev.sluice.streaming", "dev.sluice.streaming.function", "dev.sluice.streaming.testing", "dev.sluice.kafka");
    private static final Set<String> TOP_PACKAGES = Set.of("dev.sluice.core", "dev.sluice.streaming");
    private static final Pattern SLUICE_REFERENCE = Pattern.compile("\\bdev\\.sluice(?:\\.[A-Za-z_]\\w*)+");
    private static final Path ROOT = repositoryRoot();

    /** The directory above the working directory whose pom.xml lists the core module. */
    private static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path pom = dir.resolve("pom.xml");
            if (Files.isRegularFile(pom) && read(pom).contains("<module>core</module>")) {
                return dir;
            }
        }
        throw new IllegalStateException("no pom.xml with <module>core</module> above " + Path.of("").toAbsolutePath());
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Path> javaFiles(String module) {
        Path sources = ROOT.resolve(module).resolve("src/main/java");
        if (!Files.isDirectory(sources)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(sources)) {
            return files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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

    @Test
    void coreMain_neverReferencesStreaming() {
        List<String> violations = new ArrayList<>();
        for (Path file : javaFiles("core")) {
            referencedPackages(file).stream().filter(p -> p.startsWith("dev.sluice.streaming"))
                    .forEach(p -> violations.add(ROOT.relativize(file) + " uses " + p));
        }

        assertThat(javaFiles("core")).isNotEmpty();
        assertThat(violations).isEmpty();
    }

    @Test
    void examplesMain_referenceOnlyApiPackages() {
        List<String> violations = new ArrayList<>();
        for (Path file : javaFiles("examples")) {
            referencedPackages(file).stream()
                    .filter(p -> !API_PACKAGES.contains(p) && !p.startsWith("dev.sluice.examples"))
                    .forEach(p -> violations.add(ROOT.relativize(file) + " uses internal package " + p));
        }

        assertThat(javaFiles("examples")).isNotEmpty();
        assertThat(violations).isEmpty();
    }

    @Test
    void internalPackages_haveNotApiPackageInfo() {
        List<String> violations = new ArrayList<>();
        for (String module : List.of("core", "streaming", "kafka")) {
            javaFiles(module).stream().map(Path::getParent).distinct().forEach(dir -> {
                String pkg = ROOT.resolve(module).resolve("src/main/java").relativize(dir).toString()
                        .replace(dir.getFileSystem().getSeparator(), ".");
                Path info = dir.resolve("package-info.java");
                if (!API_PACKAGES.contains(pkg) && !(Files.exists(info) && read(info).contains("Not API"))) {
                    violations.add(pkg + " needs a package-info.java saying \"Not API; may change\"");
                }
            });
        }

        assertThat(violations).isEmpty();
    }

    @Test
    void apiClasses_publicSignatures_useOnlyApiAndJdkTypes() {
        List<String> violations = new ArrayList<>();
        List<Class<?>> checked = new ArrayList<>();
        for (String module : List.of("core", "streaming")) {
            for (Path file : javaFiles(module)) {
                String pkg = packageOf(ROOT.resolve(module).resolve("src/main/java").relativize(file).toString()
                        .replace(file.getFileSystem().getSeparator(), ".").replaceAll("\\.java$", ""));
                if (TOP_PACKAGES.contains(pkg)) {
                    String name = file.getFileName().toString().replaceAll("\\.java$", "");
                    // Streaming's classes are not on core's test class path; they are checked where they are.
                    loadClass(pkg + "." + name).ifPresent(c -> checkClass(c, checked, violations));
                }
            }
        }

        assertThat(checked).contains(Dataset.class, PairDataset.class, Engine.class, Engine.Builder.class);
        assertThat(violations).isEmpty();
    }

    private static Optional<Class<?>> loadClass(String name) {
        try {
            return Optional.of(Class.forName(name, false, ArchitectureTest.class.getClassLoader()));
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
        return pkg.startsWith("java.") || API_PACKAGES.contains(pkg);
    }
}
