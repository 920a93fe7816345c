package dev.ipc.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ipc.core.ErrorCode;
import dev.ipc.core.Feed;
import dev.ipc.core.Principal;
import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.ServiceException;
import dev.ipc.core.Task;
import dev.ipc.core.TaskService;
import dev.ipc.core.TokenVerifier;
import dev.ipc.core.Transports;
import dev.ipc.core.annotation.Roles;
import dev.ipc.core.testing.AbstractTransportContractTest;
import dev.ipc.core.testing.Interop;
import dev.ipc.http.internal.HttpResponse;
import dev.ipc.http.internal.HttpServer;
import dev.ipc.http.testing.RawHttp;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code GET /tasks/watch} as Server-Sent Events, read by curl, the {@code eventsource} npm client
 * (Node, src/test/js), raw sockets and {@link RestClient}, against real servers.
 */
@Timeout(90)
class RestStreamTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path JS = Path.of("src/test/js");

  private final List<AutoCloseable> cleanup = new ArrayList<>();
  private final ExecutorService threads = Executors.newCachedThreadPool();

  @AfterEach
  void close() throws Exception {
    for (int i = cleanup.size() - 1; i >= 0; i--) {
      cleanup.get(i).close();
    }
    threads.shutdownNow();
  }

  private Server start(Consumer<Transports.Builder> settings, Object... services) {
    Transports.Builder b = Transports.builder();
    settings.accept(b);
    List<Object> all = new ArrayList<>(Reference.services());
    all.addAll(List.of(services));
    Server server =
        b.services(all)
            .transport(RestTransport.builder().host("127.0.0.1").port(0).build())
            .gracePeriod(Duration.ofSeconds(20))
            .start();
    cleanup.add(server);
    return server;
  }

  private TaskService tasks(Server server) {
    RestClient client = RestClient.of("127.0.0.1", server.port("rest"));
    cleanup.add(client);
    return client.service(TaskService.DESCRIPTOR);
  }

  private static String base(Server server) {
    return "http://127.0.0.1:" + server.port("rest");
  }

  /** A process whose output lines are read as they come, by a thread of their own. */
  private final class Lines implements AutoCloseable {
    private static final String EOF = new String("end of output");
    final Process process;
    private final java.util.concurrent.BlockingQueue<String> lines =
        new java.util.concurrent.LinkedBlockingQueue<>();

    Lines(String... command) throws IOException {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      threads.execute(
          () -> {
            try {
              for (String l = out.readLine(); l != null; l = out.readLine()) {
                lines.add(l);
              }
            } catch (IOException e) {
              // destroyed
            } finally {
              lines.add(EOF);
            }
          });
      cleanup.add(this);
    }

    /** Returns the next line, or null at the end of the output. */
    String next() throws Exception {
      String l = lines.poll(30, TimeUnit.SECONDS);
      assertThat(l).as("a line within 30 s").isNotNull();
      if (l == EOF) {
        lines.add(EOF);
        return null;
      }
      return l;
    }

    /** Reads one SSE event: its lines up to the blank one. */
    List<String> event() throws Exception {
      List<String> lines = new ArrayList<>();
      for (String l = next(); l != null && !l.isEmpty(); l = next()) {
        lines.add(l);
      }
      return lines;
    }

    int exit() throws Exception {
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("process ended").isTrue();
      return process.exitValue();
    }

    @Override
    public void close() {
      process.destroyForcibly();
    }
  }

  private Lines curl(String url, String... headers) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "-N"));
    for (String h : headers) {
      cmd.add("-H");
      cmd.add(h);
    }
    cmd.add(url);
    return new Lines(cmd.toArray(new String[0]));
  }

  private static void awaitOpenStreams(Server server, int n) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (server.openStreams() != n && System.nanoTime() < end) {
      Thread.sleep(5);
    }
    assertThat(server.openStreams()).as("open streams").isEqualTo(n);
  }

  /** Returns the id of an event read as lines, checking its data is {@code task}. */
  private static long idOf(List<String> event, Task task) throws IOException {
    assertThat(event).hasSize(2);
    assertThat(event.get(0)).startsWith("id: ");
    JsonNode data = JSON.readTree(event.get(1).substring("data: ".length()));
    assertThat(event.get(1)).startsWith("data: ");
    assertThat(data.get("id").asLong()).isEqualTo(task.id());
    assertThat(data.get("name").asText()).isEqualTo(task.name());
    return Long.parseLong(event.get(0).substring(4));
  }

  @Test
  @Interop
  void curlSeesEachSaveAsAnEventWithAnId_andTheQueryFilters() throws Exception {
    Server server = start(b -> {});
    TaskService tasks = tasks(server);
    Lines all = curl(base(server) + "/tasks/watch");
    Lines ranged = curl(base(server) + "/tasks/watch?fromId=5&toId=6");
    awaitOpenStreams(server, 2);
    for (long id = 4; id <= 7; id++) {
      tasks.put(new Task(id, "saved " + id));
    }
    long last = 0;
    for (long id = 4; id <= 7; id++) {
      long eventId = idOf(all.event(), new Task(id, "saved " + id));
      assertThat(eventId).isGreaterThan(last);
      last = eventId;
    }
    idOf(ranged.event(), new Task(5, "saved 5"));
    idOf(ranged.event(), new Task(6, "saved 6"));
    // The literal route wins over /tasks/{id}, which still answers JSON.
    assertThat(tasks.get(5)).isEqualTo(new Task(5, "saved 5"));
  }

  @Test
  @Interop
  void lastEventIdResumesWithTheMissedSaves() throws Exception {
    Server server = start(b -> {});
    TaskService tasks = tasks(server);
    Lines first = curl(base(server) + "/tasks/watch");
    awaitOpenStreams(server, 1);
    tasks.put(new Task(21, "seen"));
    long seen = idOf(first.event(), new Task(21, "seen"));
    first.close();
    awaitOpenStreams(server, 0);
    tasks.put(new Task(22, "missed a"));
    tasks.put(new Task(23, "missed b"));
    Lines resumed = curl(base(server) + "/tasks/watch", "Last-Event-ID: " + seen);
    long a = idOf(resumed.event(), new Task(22, "missed a"));
    long b = idOf(resumed.event(), new Task(23, "missed b"));
    assertThat(a).isGreaterThan(seen);
    assertThat(b).isGreaterThan(a);
    awaitOpenStreams(server, 1);
    tasks.put(new Task(24, "live"));
    idOf(resumed.event(), new Task(24, "live"));
  }

  /**
   * A TCP relay the test can cut: it drops the connections it carries, and holds new ones until let
   * through, so what happens while a client is away is under the test's control.
   */
  private static final class Relay implements AutoCloseable {
    final ServerSocket listener =
        new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
    final List<Socket> open = new CopyOnWriteArrayList<>();
    final int target;
    volatile CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);

    Relay(int target, ExecutorService threads) throws IOException {
      this.target = target;
      threads.execute(
          () -> {
            while (!listener.isClosed()) {
              try {
                Socket client = listener.accept();
                threads.execute(() -> relay(client, threads));
              } catch (IOException e) {
                return;
              }
            }
          });
    }

    private void relay(Socket client, ExecutorService threads) {
      try {
        gate.get(60, TimeUnit.SECONDS);
        Socket server = new Socket("127.0.0.1", target);
        open.add(client);
        open.add(server);
        threads.execute(() -> pipe(client, server));
        pipe(server, client);
      } catch (Exception e) {
        // cut
      }
    }

    private static void pipe(Socket from, Socket to) {
      try (InputStream in = from.getInputStream();
          OutputStream out = to.getOutputStream()) {
        byte[] buf = new byte[8192];
        for (int n; (n = in.read(buf)) > 0; ) {
          out.write(buf, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // one side closed
      } finally {
        try {
          from.close();
          to.close();
        } catch (IOException e) {
          // closing anyway
        }
      }
    }

    /** Drops every connection carried, and holds new ones until {@link #letThrough}. */
    void cut() throws IOException {
      gate = new CompletableFuture<>();
      for (Socket s : open) {
        s.close();
      }
      open.clear();
    }

    void letThrough() {
      gate.complete(null);
    }

    int port() {
      return listener.getLocalPort();
    }

    @Override
    public void close() throws IOException {
      letThrough();
      listener.close();
      for (Socket s : open) {
        s.close();
      }
    }
  }

  @Test
  @Interop
  void theEventsourceNpmClientReceivesEventsAndResumesAfterAReconnect() throws Exception {
    assertThat(JS.resolve("node_modules/eventsource"))
        .as("eventsource is installed: run `npm ci` in ipc-rest/src/test/js")
        .exists();
    Server server = start(b -> {});
    TaskService tasks = tasks(server);
    Relay relay = new Relay(server.port("rest"), threads);
    cleanup.add(relay);
    Lines node =
        new Lines(
            "node",
            JS.resolve("watch.mjs").toString(),
            "http://127.0.0.1:" + relay.port() + "/tasks/watch",
            "4");
    assertThat(node.next()).isEqualTo("open");
    awaitOpenStreams(server, 1);
    tasks.put(new Task(31, "one"));
    tasks.put(new Task(32, "two"));
    assertThat(node.next()).matches("message \\d+ \\{\"id\":31,\"name\":\"one\"\\}");
    assertThat(node.next()).matches("message \\d+ \\{\"id\":32,\"name\":\"two\"\\}");
    relay.cut();
    assertThat(node.next()).isEqualTo("error"); // EventSource noticed, and will reconnect by itself
    awaitOpenStreams(server, 0);
    tasks.put(new Task(33, "while away"));
    tasks.put(new Task(34, "also while away"));
    relay.letThrough();
    // Reconnected with Last-Event-ID: the saves made meanwhile arrive, after the open.
    assertThat(node.next()).isEqualTo("open");
    assertThat(node.next()).matches("message \\d+ \\{\"id\":33,\"name\":\"while away\"\\}");
    assertThat(node.next()).matches("message \\d+ \\{\"id\":34,\"name\":\"also while away\"\\}");
    assertThat(node.exit()).isZero();
  }

  @Test
  @Interop
  void aClientThatNeverReadsIsEndedWhileAFastOneGetsEverything() throws Exception {
    Server server = start(b -> b.streamBuffer(64));
    TaskService tasks = tasks(server);
    Lines fast = curl(base(server) + "/tasks/watch");
    AbstractTransportContractTest.Collector<Task> reader =
        new AbstractTransportContractTest.Collector<>(true);
    tasks.watchTasks(null, null).subscribe(reader);
    try (Socket slow = new Socket()) {
      slow.setReceiveBufferSize(4096);
      slow.connect(new InetSocketAddress("127.0.0.1", server.port("rest")));
      slow.getOutputStream()
          .write(
              "GET /tasks/watch HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      awaitOpenStreams(server, 3);
      String name = "n".repeat(200);
      int n = 0;
      // Saves until the server gives up on the client that reads nothing: its socket, then the
      // connection's write buffer, then the stream's 64 values fill; bounded whatever the machine.
      while (server.openStreams() == 3 && n < 200_000) {
        n++;
        tasks.put(new Task(n, name));
      }
      assertThat(server.openStreams()).as("the slow stream was ended").isEqualTo(2);
      for (int id = 1; id <= n; id++) {
        List<String> event = fast.event();
        assertThat(event.get(1)).startsWith("data: {\"id\":" + id + ",");
      }
      assertThat(reader.await(n)).hasSize(n);
    }
    assertThat(reader.done).isNotDone();
  }

  /** Collects a stream read through {@link RestClient}. */
  @Test
  @Interop
  void closingTheServerEndsTheResponseCleanly() throws Exception {
    Server server = start(b -> {});
    TaskService tasks = tasks(server);
    Lines watcher = curl(base(server) + "/tasks/watch");
    awaitOpenStreams(server, 1);
    tasks.put(new Task(41, "before close"));
    idOf(watcher.event(), new Task(41, "before close"));
    server.close();
    assertThat(watcher.next()).isNull();
    assertThat(watcher.exit()).as("curl saw the chunked body end, not a cut").isZero();
    assertThat(server.openStreams()).isZero();
  }

  /** A feed only watchers may watch. */
  public interface Alerts {
    @Roles("watcher")
    default Flow.Publisher<Task> alerts() {
      return Feed.published("task:saved", Task.class);
    }
  }

  @Test
  @Interop
  void aProtectedStreamNeedsItsRole_andBadInputIsAProblemBeforeAnyStream() throws Exception {
    TokenVerifier tokens =
        token ->
            switch (token) {
              case "watcher" -> Principal.of("wendy", "watcher", "writer");
              case "other" -> Principal.of("otto", "reader");
              default -> null;
            };
    Server server = start(b -> b.authenticate(tokens), new Alerts() {});
    String path =
        dev.ipc.core.model.ServiceDescriptor.of(Alerts.class).operations().get(0).restPath();
    int port = server.port("rest");
    try (RawHttp c = new RawHttp(port)) {
      RawHttp.Response none = c.send("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").read();
      assertThat(none.status()).isEqualTo(401);
      assertThat(none.header("content-type")).isEqualTo("application/problem+json");
      assertThat(none.header("www-authenticate")).isEqualTo("Bearer");
      assertThat(JSON.readTree(none.body()).get("code").asText()).isEqualTo("UNAUTHENTICATED");
      RawHttp.Response other =
          c.send("GET " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer other\r\n\r\n")
              .read();
      assertThat(other.status()).isEqualTo(403);
      RawHttp.Response bad =
          c.send("GET /tasks/watch?fromId=five HTTP/1.1\r\nHost: x\r\n\r\n").read();
      assertThat(bad.status()).isEqualTo(400);
      assertThat(bad.body()).contains("fromId");
      // The connection is still good for requests after those answers.
      assertThat(c.send("GET /tasks/1 HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(200);
    }
    awaitOpenStreams(server, 0);
    Lines allowed = curl("http://127.0.0.1:" + port + path, "Authorization: Bearer watcher");
    awaitOpenStreams(server, 1);
    RestClient writer = RestClient.of("127.0.0.1", port);
    cleanup.add(writer);
    writer.withBearerToken("watcher").service(TaskService.DESCRIPTOR).put(new Task(51, "alert"));
    idOf(allowed.event(), new Task(51, "alert"));
  }

  @Test
  void restClientGetsAnErrorEventAsTheServiceException() throws Exception {
    // A server that answers every request with the events a stream ended for falling behind gets.
    ExecutorService executor = Executors.newFixedThreadPool(2);
    cleanup.add(executor::shutdownNow);
    HttpServer http =
        HttpServer.builder()
            .host("127.0.0.1")
            .port(0)
            .executor(executor)
            .handler(
                r ->
                    HttpResponse.events(
                        w -> {
                          w.send(null, "1", "{\"id\":1,\"name\":\"first\"}");
                          w.send(
                              "error",
                              null,
                              "{\"code\":\"RESOURCE_EXHAUSTED\",\"message\":\"fell behind\"}");
                          w.end();
                        }))
            .start();
    cleanup.add(http::shutdownNow);
    RestClient client = RestClient.of("127.0.0.1", http.localAddress().getPort());
    cleanup.add(client);
    AbstractTransportContractTest.Collector<Task> c =
        new AbstractTransportContractTest.Collector<>(true);
    client.service(TaskService.DESCRIPTOR).watchTasks(null, null).subscribe(c);
    assertThatThrownBy(() -> c.done.get(30, TimeUnit.SECONDS))
        .cause()
        .isInstanceOfSatisfying(
            ServiceException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED);
              assertThat(e.getMessage()).isEqualTo("fell behind");
            });
    assertThat(c.values).containsExactly(new Task(1, "first"));
  }
}
