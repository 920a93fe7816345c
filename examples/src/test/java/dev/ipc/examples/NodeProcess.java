package dev.ipc.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One example server in its own JVM ({@code java -cp <the test classpath> ExampleServer ...}, the
 * code under test, as the runnable jar runs it), on free ports: the ports are read from the lines
 * it prints on start, as an operator would. Its stderr goes to a file, shown when it fails.
 */
final class NodeProcess implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("^(\\w+) +listening on .*:(\\d+)$");

  final String name;
  private final Process process;
  private final Path err;
  private final Map<String, Integer> ports = new LinkedHashMap<>();
  private final List<String> out = new ArrayList<>();

  private NodeProcess(String name, Process process, Path err) {
    this.name = name;
    this.process = process;
    this.err = err;
  }

  /** Starts a node with every transport on a free port on 127.0.0.1, and {@code --redis redis}. */
  static NodeProcess start(String name, String redis) throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Path err = Files.createTempFile("ipc-node-" + name, ".err");
    List<String> command =
        new ArrayList<>(
            List.of(
                java,
                "-Xmx192m",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                ExampleServer.class.getName()));
    command.addAll(LocalOptions.args("--redis", redis));
    Process process = new ProcessBuilder(command).redirectError(err.toFile()).start();
    NodeProcess node = new NodeProcess(name, process, err);
    node.readPorts();
    return node;
  }

  private void readPorts() throws InterruptedException {
    BufferedReader reader = process.inputReader(StandardCharsets.UTF_8);
    // Keep draining stdout (the example prints a line per Socket.IO connect) so the JVM never
    // blocks.
    Thread drain =
        new Thread(
            () -> {
              try {
                for (String line; (line = reader.readLine()) != null; ) {
                  synchronized (out) {
                    out.add(line);
                    Matcher m = LISTENING.matcher(line);
                    if (m.matches()) {
                      ports.put(m.group(1), Integer.parseInt(m.group(2)));
                    }
                    out.notifyAll();
                  }
                }
              } catch (IOException e) {
                // the process ended
              }
            },
            "node-" + name + "-stdout");
    drain.setDaemon(true);
    drain.start();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    synchronized (out) {
      while (ports.size() < 4) {
        assertThat(process.isAlive()).as("node %s running; stderr: %s", name, stderr()).isTrue();
        assertThat(System.nanoTime())
            .as("node %s printed its 4 ports within 90 s: %s", name, out)
            .isLessThan(end);
        out.wait(200);
      }
    }
  }

  int port(String transport) {
    synchronized (out) {
      return ports.get(transport);
    }
  }

  boolean isAlive() {
    return process.isAlive();
  }

  String stderr() {
    try {
      return Files.readString(err);
    } catch (IOException e) {
      return "(unreadable: " + e.getMessage() + ")";
    }
  }

  /** SIGTERM (the graceful close), then SIGKILL if it has not exited within 30 s. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
