package dev.ipc.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A foreign Socket.IO client in its own process (python-socketio's sync client, or socket.io-client
 * v4 on Node) driven line by line: src/test/clients/sio_events.{py,js}. The test sends it {@code
 * emit}/{@code call} commands and reads back every event it received, so the assertions (what
 * arrived, how often) stay in Java. Every wait has a deadline; {@link #close()} ends the process.
 */
final class EventClient implements AutoCloseable {
  private static final Path CLIENTS = Path.of("src/test/clients");
  static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(20);

  private final String name;
  private final Process process;
  private final PrintWriter in;
  private final List<String> lines = new ArrayList<>();
  private final AtomicInteger calls = new AtomicInteger();

  private EventClient(String name, ProcessBuilder builder) throws IOException {
    this.name = name;
    this.process = builder.redirectErrorStream(true).start();
    this.in = new PrintWriter(process.outputWriter(StandardCharsets.UTF_8), true);
    BufferedReader out = process.inputReader(StandardCharsets.UTF_8);
    Thread reader =
        new Thread(
            () -> {
              try {
                for (String line; (line = out.readLine()) != null; ) {
                  synchronized (lines) {
                    lines.add(line);
                    lines.notifyAll();
                  }
                }
              } catch (IOException e) {
                // the process ended; what it printed is kept
              }
            },
            "event-client-" + name);
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts python-socketio's sync client on {@code url}; {@code transports} null for its default.
   */
  static EventClient python(String name, String url, String transports) throws IOException {
    List<String> command =
        new ArrayList<>(
            List.of("/usr/bin/python3", CLIENTS.resolve("sio_events.py").toString(), url));
    if (transports != null) {
      command.add(transports);
    }
    return new EventClient(name, new ProcessBuilder(command));
  }

  /** Starts socket.io-client v4 (Node) on {@code url}; {@code transports} null for its default. */
  static EventClient node(String name, String url, String transports) throws IOException {
    List<String> command =
        new ArrayList<>(List.of("node", CLIENTS.resolve("sio_events.js").toString(), url));
    if (transports != null) {
      command.add(transports);
    }
    ProcessBuilder builder = new ProcessBuilder(command);
    builder
        .environment()
        .put("NODE_PATH", Path.of("interop/js/node_modules").toAbsolutePath().toString());
    return new EventClient(name, builder);
  }

  /**
   * Waits until the client connected (asserting it did), returning the transport it connected on.
   */
  String awaitConnected() throws InterruptedException {
    String line =
        awaitLine(l -> l.startsWith("connected") || l.startsWith("connect-failed"), "connect");
    assertThat(line).as("%s connects", name).startsWith("connected");
    return line.substring("connected".length()).trim();
  }

  /**
   * Waits until the client gives up connecting, asserting it did not connect: the script's own
   * timeouts bound the wait, and so does this deadline.
   */
  String awaitConnectFailed() throws InterruptedException {
    String line =
        awaitLine(
            l -> l.startsWith("connected") || l.startsWith("connect-failed"), "connect outcome");
    assertThat(line).as("%s fails to connect", name).startsWith("connect-failed");
    assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("%s exits after failing", name).isTrue();
    return line;
  }

  void emit(String event, String json) {
    in.println("emit " + event + " " + json);
  }

  /**
   * Emits {@code event} with an ack and returns the ack's JSON (the first argument, or an array).
   */
  String call(String event, String json) throws InterruptedException {
    int id = calls.incrementAndGet();
    in.println("call " + id + " " + event + " " + json);
    String line =
        awaitLine(
            l -> l.startsWith("ack " + id + " ") || l.startsWith("error " + id + " "),
            event + " ack");
    assertThat(line).as("%s: %s answered", name, event).startsWith("ack " + id + " ");
    return line.substring(("ack " + id + " ").length());
  }

  /** The JSON argument arrays of every {@code event} received so far, in order. */
  List<String> events(String event) {
    String prefix = "event " + event + " ";
    synchronized (lines) {
      return lines.stream()
          .filter(l -> l.startsWith(prefix))
          .map(l -> l.substring(prefix.length()))
          .toList();
    }
  }

  /** Waits until an {@code event} whose argument array contains {@code text} arrived. */
  void awaitEvent(String event, String text) throws InterruptedException {
    String prefix = "event " + event + " ";
    awaitLine(l -> l.startsWith(prefix) && l.contains(text), event + " with " + text);
  }

  private String awaitLine(Predicate<String> wanted, String what) throws InterruptedException {
    long end = System.nanoTime() + WAIT_NANOS;
    synchronized (lines) {
      while (true) {
        for (String line : lines) {
          if (wanted.test(line)) {
            return line;
          }
        }
        long left = end - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(
              name
                  + ": no "
                  + what
                  + " within "
                  + TimeUnit.NANOSECONDS.toSeconds(WAIT_NANOS)
                  + " s; it printed "
                  + lines);
        }
        TimeUnit.NANOSECONDS.timedWait(lines, Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
      }
    }
  }

  /** Everything the client printed so far, for failure messages. */
  @Override
  public String toString() {
    synchronized (lines) {
      return name + " " + lines;
    }
  }

  @Override
  public void close() throws InterruptedException {
    in.println("quit");
    in.close();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
