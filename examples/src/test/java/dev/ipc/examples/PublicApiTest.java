package dev.ipc.examples;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fails when a module's public API differs from the list declared for it, so an accidental public
 * type is caught in review rather than by the host that starts depending on it.
 *
 * <p>The API of a module is every public type, and every public or protected type nested in an API
 * type, outside packages with an {@code internal} segment. Each module's list is {@code
 * src/test/resources/api/<module>.txt}: one canonical name per line, sorted; lines starting with
 * {@code #} are comments. {@value #REWRITE} rewrites every list from the code.
 *
 * <p>It reads the classes of the jars (or, in a reactor build before {@code package}, the {@code
 * target/classes} directories) on this module's test classpath: with {@code -pl examples} those are
 * the jars installed in the local repository, so install first to check the working tree.
 */
class PublicApiTest {

  /** The one command that rewrites every list from the code on the classpath. */
  private static final String REWRITE =
      "mvn -B -o -q -pl examples test -Dtest=PublicApiTest -Dipc.api.write=true";

  /** Where the lists live, relative to the examples module. */
  private static final Path LISTS = Paths.get("src", "test", "resources", "api");

  /** A class of each module, to find the module's jar by: any class of the jar does, API or not. */
  private static final Map<String, String> ANCHORS = new LinkedHashMap<>();

  static {
    ANCHORS.put("ipc-core", "dev.ipc.core.Transports");
    ANCHORS.put("ipc-grpc", "dev.ipc.grpc.GrpcTransport");
    ANCHORS.put("ipc-http", "dev.ipc.http.internal.HttpServer");
    ANCHORS.put("ipc-rest", "dev.ipc.rest.RestTransport");
    ANCHORS.put("ipc-graphql", "dev.ipc.graphql.GraphqlTransport");
    ANCHORS.put("ipc-socketio", "dev.ipc.socketio.SocketIoTransport");
    ANCHORS.put("ipc-micrometer", "dev.ipc.micrometer.IpcMetrics");
    ANCHORS.put("ipc-opentelemetry", "dev.ipc.opentelemetry.IpcTracing");
    ANCHORS.put("ipc-redis", "dev.ipc.redis.RedisBus");
  }

  static Stream<String> modules() {
    return ANCHORS.keySet().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("modules")
  void publicTypes_areExactlyTheDeclaredOnes(String module) throws IOException {
    SortedSet<String> actual = publicTypes(module);
    Path list = LISTS.resolve(module + ".txt");
    if (Boolean.getBoolean("ipc.api.write")) {
      write(module, list, actual);
      return;
    }
    SortedSet<String> declared = declared(module);
    List<String> problems = new ArrayList<>();
    for (String type : actual) {
      if (!declared.contains(type)) {
        problems.add(
            type
                + " is public API but not declared: make it package-private or move it to an"
                + " internal package, or add it to examples/"
                + list.toString().replace('\\', '/'));
      }
    }
    for (String type : declared) {
      if (!actual.contains(type)) {
        problems.add(
            type
                + " is declared in examples/"
                + list.toString().replace('\\', '/')
                + " but is no longer public API of "
                + module
                + " (removed, renamed or hidden): delete its line");
      }
    }
    assertThat(problems)
        .as(
            "public API of %s (%s) against its declared list; after a deliberate API change,"
                + " rewrite every list with: %s",
            module, location(module), REWRITE)
        .isEmpty();
  }

  /** Returns the module's API types by canonical name, read from its jar or classes directory. */
  private static SortedSet<String> publicTypes(String module) throws IOException {
    Path location = location(module);
    TreeSet<String> types = new TreeSet<>();
    for (String className : classNames(location)) {
      Class<?> type;
      try {
        // Not initialised: reading modifiers must not run a module's static code.
        type = Class.forName(className, false, PublicApiTest.class.getClassLoader());
      } catch (ClassNotFoundException | LinkageError e) {
        // Usually jars from different builds, e.g. one module installed after a change in another.
        throw new AssertionError(
            className + " in " + location + " does not load: install the reactor, then rerun", e);
      }
      if (isApi(type)) {
        types.add(type.getCanonicalName());
      }
    }
    return types;
  }

  /** True for a public type outside internal packages, or a public/protected type nested in one. */
  private static boolean isApi(Class<?> type) {
    if (type.isAnonymousClass() || type.isLocalClass() || type.isSynthetic()) {
      return false;
    }
    if (Arrays.asList(type.getPackageName().split("\\.")).contains("internal")) {
      return false;
    }
    int modifiers = type.getModifiers();
    Class<?> enclosing = type.getDeclaringClass();
    if (enclosing == null) {
      return Modifier.isPublic(modifiers);
    }
    return (Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers)) && isApi(enclosing);
  }

  /** Returns the jar or classes directory that holds the module's anchor class. */
  private static Path location(String module) {
    Class<?> anchor;
    try {
      anchor = Class.forName(ANCHORS.get(module), false, PublicApiTest.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new AssertionError(
          ANCHORS.get(module)
              + " is not on the classpath: is "
              + module
              + " a dependency of examples, or did the class move? (see ANCHORS)",
          e);
    }
    CodeSource source = anchor.getProtectionDomain().getCodeSource();
    assertThat(source).as("code source of %s", anchor).isNotNull();
    Path path;
    try {
      path = Paths.get(source.getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(source.getLocation().toString(), e);
    }
    // A shaded or merged jar would list other modules' types as this one's.
    String file = path.getFileName().toString();
    boolean ownJar = file.startsWith(module + "-") && file.endsWith(".jar");
    Path moduleDir = path.getParent().getParent();
    boolean ownClasses =
        file.equals("classes") && moduleDir.getFileName().toString().equals(module);
    assertThat(ownJar || ownClasses)
        .as("%s of %s is not %s's own jar or target/classes", path, anchor, module)
        .isTrue();
    return path;
  }

  /** Returns the binary names of the classes in a jar or a classes directory. */
  private static List<String> classNames(Path location) throws IOException {
    List<String> entries = new ArrayList<>();
    if (Files.isDirectory(location)) {
      try (Stream<Path> files = Files.walk(location)) {
        files
            .filter(Files::isRegularFile)
            .map(f -> location.relativize(f).toString().replace('\\', '/'))
            .forEach(entries::add);
      }
    } else {
      try (JarFile jar = new JarFile(location.toFile())) {
        for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
          entries.add(e.nextElement().getName());
        }
      }
    }
    return entries.stream()
        .filter(n -> n.endsWith(".class") && !n.startsWith("META-INF/"))
        .filter(n -> !n.endsWith("module-info.class") && !n.endsWith("package-info.class"))
        .map(n -> n.substring(0, n.length() - ".class".length()).replace('/', '.'))
        .sorted()
        .collect(Collectors.toList());
  }

  /** Returns the declared list, read from the test classpath. */
  private static SortedSet<String> declared(String module) throws IOException {
    String resource = "/api/" + module + ".txt";
    URL url = PublicApiTest.class.getResource(resource);
    assertThat(url)
        .as(
            "no declared API for %s (examples/%s); create it with: %s",
            module, LISTS.resolve(module + ".txt"), REWRITE)
        .isNotNull();
    try (InputStream in = url.openStream()) {
      return new String(in.readAllBytes(), UTF_8)
          .lines()
          .map(String::strip)
          .filter(line -> !line.isEmpty() && !line.startsWith("#"))
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  /** Rewrites the list in the source tree (not target/), so the change shows in the diff. */
  private static void write(String module, Path list, SortedSet<String> types) {
    Path base = Paths.get(System.getProperty("basedir", System.getProperty("user.dir")));
    Path file = base.resolve(list);
    StringBuilder text = new StringBuilder();
    text.append("# The public API of ")
        .append(module)
        .append(", checked by PublicApiTest; rewrite with: ")
        .append(REWRITE)
        .append('\n');
    types.forEach(t -> text.append(t).append('\n'));
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, text, UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(file.toString(), e);
    }
  }
}
