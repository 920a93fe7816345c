package dev.ipc.core;

import static java.util.Objects.requireNonNull;

import dev.ipc.core.model.ServiceDescriptor;
import dev.ipc.core.spi.TransportProvider;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Writes the schema documents of services, so that non-Java clients can generate code from them:
 * the {@code .proto} of each service (with ipc-grpc on the classpath), the GraphQL SDL
 * (ipc-graphql) and the OpenAPI document (ipc-rest), all from the same model the servers use.
 *
 * <pre>java -cp app.jar:... dev.ipc.core.Schemas --out target/schemas com.acme.Library</pre>
 */
public final class Schemas {
  private Schemas() {}

  /**
   * Writes every schema the adapters on the classpath publish for {@code services} into {@code
   * out}, creating it, and returns the files written.
   *
   * @throws IllegalStateException if no adapter on the classpath publishes a schema
   * @throws IllegalArgumentException if a service cannot be described
   */
  public static List<Path> write(Path out, List<ServiceDescriptor<?>> services) throws IOException {
    requireNonNull(out, "out");
    requireNonNull(services, "services");
    Map<String, String> files = new LinkedHashMap<>();
    for (TransportProvider p : ServiceLoader.load(TransportProvider.class, classLoader())) {
      files.putAll(p.schemas(List.copyOf(services)));
    }
    if (files.isEmpty()) {
      throw new IllegalStateException(
          "no schema to write (expected: dev.ipc:ipc-grpc, ipc-rest or ipc-graphql on the classpath)");
    }
    Files.createDirectories(out);
    List<Path> written = new ArrayList<>();
    for (Map.Entry<String, String> f : files.entrySet()) {
      Path file = out.resolve(f.getKey());
      Files.writeString(file, f.getValue(), StandardCharsets.UTF_8);
      written.add(file);
    }
    return written;
  }

  /**
   * Runs the command: {@code --out DIR} then the service interfaces' class names. Exits 2 on a
   * usage error and 1 when a service cannot be described.
   */
  public static void main(String[] args) {
    int status = run(args, System.out, System.err);
    if (status != 0) {
      System.exit(status);
    }
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    Path dir = null;
    List<String> names = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--out") && i + 1 < args.length) {
        dir = Path.of(args[++i]);
      } else if (args[i].startsWith("-")) {
        dir = null;
        names.clear();
        break;
      } else {
        names.add(args[i]);
      }
    }
    if (dir == null || names.isEmpty()) {
      err.println(
          "usage: java -cp ... dev.ipc.core.Schemas --out DIR com.acme.Service [more services]");
      return 2;
    }
    try {
      List<ServiceDescriptor<?>> services = new ArrayList<>();
      for (String name : names) {
        services.add(ServiceDescriptor.of(Class.forName(name, false, classLoader())));
      }
      for (Path p : write(dir, services)) {
        out.println("wrote " + p);
      }
      return 0;
    } catch (ClassNotFoundException e) {
      err.println("no class " + e.getMessage() + " on the classpath");
      return 1;
    } catch (IOException | RuntimeException e) {
      err.println(e.getMessage());
      return 1;
    }
  }

  private static ClassLoader classLoader() {
    ClassLoader cl = Thread.currentThread().getContextClassLoader();
    return cl != null ? cl : Schemas.class.getClassLoader();
  }
}
