package dev.ipc.http.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link HttpClientPool} against a real {@link HttpServer} and against scripted sockets. */
@Timeout(30)
class HttpClientPoolTest {
  private static final Duration LONG = Duration.ofSeconds(10);

  private final ExecutorService executor = Executors.newFixedThreadPool(8);
  private final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable r : resources) {
      r.close();
    }
    executor.shutdownNow();
  }

  private HttpServer start(HttpHandler handler) throws IOException {
    HttpServer server =
        HttpServer.builder()
            .host("127.0.0.1")
            .port(0)
            .executor(executor)
            .workerThreads(1)
            .handler(handler)
            .start();
    resources.add(server::shutdownNow);
    return server;
  }

  private HttpClientPool pool(int port, int maxConnections) {
    HttpClientPool pool =
        HttpClientPool.open("test-client", "127.0.0.1", port, maxConnections, LONG, 1024);
    resources.add(pool);
    return pool;
  }

  private static HttpClientPool.Response get(HttpClientPool pool, String target)
      throws IOException {
    return pool.exchange("GET", target, Map.of(), null, LONG);
  }

  @Test
  void exchange_sendsMethodHeadersAndBody_andReadsTheWholeAnswer() throws IOException {
    HttpServer server =
        start(
            r ->
                HttpResponse.json(
                    201, r.method() + " " + r.uri() + " " + r.header("x-a") + " " + r.bodyText()));
    HttpClientPool pool = pool(server.localAddress().getPort(), 2);
    HttpClientPool.Response r =
        pool.exchange(
            "PUT", "/a?b=c", Map.of("x-a", "1"), "body".getBytes(StandardCharsets.UTF_8), LONG);
    assertThat(r.status()).isEqualTo(201);
    assertThat(r.header("Content-Type")).isEqualTo("application/json");
    assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("PUT /a?b=c 1 body");
  }

  @Test
  void close_leavesTheServerWithNoOpenConnection() throws Exception {
    CountDownLatch together = new CountDownLatch(3);
    HttpServer server =
        start(
            r -> {
              together.countDown();
              together.await(10, TimeUnit.SECONDS);
              return HttpResponse.text(200, "ok");
            });
    HttpClientPool pool = pool(server.localAddress().getPort(), 8);
    List<CompletableFuture<Integer>> calls = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      calls.add(CompletableFuture.supplyAsync(() -> status(pool, "/x"), executor));
    }
    for (CompletableFuture<Integer> c : calls) {
      assertThat(c.get(10, TimeUnit.SECONDS)).isEqualTo(200);
    }
    assertThat(server.connections()).isEqualTo(3);

    pool.close();
    pool.close();

    assertThat(server.awaitConnectionsClosed(LONG)).isTrue();
    assertThat(pool.openConnections()).isZero();
    assertThatThrownBy(() -> get(pool, "/x"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void concurrentCalls_reuseABoundedNumberOfConnections() throws Exception {
    CountDownLatch firstFour = new CountDownLatch(4);
    Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();
    HttpServer server =
        start(
            r -> {
              clientPorts.add(r.remoteAddress().getPort());
              // Holds the first calls until four run at once, so the pool must open all it may.
              firstFour.countDown();
              firstFour.await(10, TimeUnit.SECONDS);
              return HttpResponse.text(200, r.path());
            });
    HttpClientPool pool = pool(server.localAddress().getPort(), 4);
    ExecutorService callers = Executors.newFixedThreadPool(16);
    try {
      List<CompletableFuture<Integer>> calls = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        calls.add(CompletableFuture.supplyAsync(() -> status(pool, "/n"), callers));
      }
      for (CompletableFuture<Integer> c : calls) {
        assertThat(c.get(20, TimeUnit.SECONDS)).isEqualTo(200);
      }
    } finally {
      callers.shutdownNow();
    }
    assertThat(clientPorts).hasSize(4);
    assertThat(pool.openConnections()).isEqualTo(4);
    assertThat(server.connections()).isEqualTo(4);
  }

  @Test
  void sequentialCalls_useOneConnection() throws IOException {
    Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();
    HttpServer server =
        start(
            r -> {
              clientPorts.add(r.remoteAddress().getPort());
              return HttpResponse.text(200, "ok");
            });
    HttpClientPool pool = pool(server.localAddress().getPort(), 4);
    for (int i = 0; i < 10; i++) {
      assertThat(get(pool, "/s").status()).isEqualTo(200);
    }
    assertThat(clientPorts).hasSize(1);
  }

  @Test
  void refusedPort_isConnectException() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    HttpClientPool pool = pool(port, 2);
    assertThatThrownBy(() -> get(pool, "/")).isInstanceOf(ConnectException.class);
    assertThatThrownBy(() -> get(pool, "/")).isInstanceOf(ConnectException.class);
    assertThat(pool.openConnections()).isZero();
  }

  @Test
  void timeoutMidBody_closesThatConnection_andTheNextCallWorks() throws Exception {
    CountDownLatch firstClosed = new CountDownLatch(1);
    try (ScriptedServer fake =
        new ScriptedServer(
            s -> {
              readHead(s.getInputStream());
              write(s, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"half\"");
              // The client must give up and close: then this read sees the end of the stream.
              assertThat(s.getInputStream().read()).isEqualTo(-1);
              firstClosed.countDown();
            },
            s -> {
              readHead(s.getInputStream());
              write(s, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
              assertThat(s.getInputStream().read()).isEqualTo(-1);
            })) {
      HttpClientPool pool = pool(fake.port(), 1);
      assertThatThrownBy(
              () -> pool.exchange("GET", "/slow", Map.of(), null, Duration.ofMillis(300)))
          .isInstanceOf(SocketTimeoutException.class)
          .hasMessageContaining("within");
      assertThat(firstClosed.await(10, TimeUnit.SECONDS)).isTrue();
      HttpClientPool.Response r = get(pool, "/next");
      assertThat(new String(r.body(), StandardCharsets.US_ASCII)).isEqualTo("ok");
      pool.close();
      fake.awaitScripts();
    }
  }

  @Test
  void malformedOversizedOrCutAnswers_areIOExceptions_andThePoolGoesOn() throws Exception {
    try (ScriptedServer fake =
        new ScriptedServer(
            s -> {
              readHead(s.getInputStream());
              write(s, "hello, not HTTP\r\n\r\n");
            },
            s -> {
              readHead(s.getInputStream());
              write(s, "HTTP/1.1 200 OK\r\nContent-Length: 2048\r\n\r\n" + "x".repeat(2048));
            },
            s -> {
              readHead(s.getInputStream());
              write(s, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
              // Closed here, with 7 bytes of the body missing.
            },
            s -> {
              readHead(s.getInputStream());
              write(s, "HTTP/1.1 204 No Content\r\n\r\n");
              assertThat(s.getInputStream().read()).isEqualTo(-1);
            })) {
      HttpClientPool pool = pool(fake.port(), 1);
      assertThatThrownBy(() -> get(pool, "/1"))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("malformed");
      assertThatThrownBy(() -> get(pool, "/2"))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("larger than 1024");
      assertThatThrownBy(() -> get(pool, "/3"))
          .isInstanceOf(IOException.class)
          .isNotInstanceOf(SocketTimeoutException.class);
      assertThat(get(pool, "/4").status()).isEqualTo(204);
      pool.close();
      fake.awaitScripts();
    }
  }

  @Test
  void staleKeptAliveConnection_isRetriedOnceForIdempotentMethodsOnly() throws Exception {
    Script answerOnceThenCloseOnTheNextRequest =
        s -> {
          readHead(s.getInputStream());
          write(s, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na");
          // The next request finds the connection closed, as when a server's idle timeout strikes.
          readHead(s.getInputStream());
        };
    Script answerB =
        s -> {
          readHead(s.getInputStream());
          write(s, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb");
          assertThat(s.getInputStream().read()).isEqualTo(-1);
        };
    try (ScriptedServer fake = new ScriptedServer(answerOnceThenCloseOnTheNextRequest, answerB)) {
      HttpClientPool pool = pool(fake.port(), 1);
      assertThat(get(pool, "/1").body()).containsExactly('a');
      assertThat(get(pool, "/2").body()).containsExactly('b');
      pool.close();
      fake.awaitScripts();
    }
    try (ScriptedServer fake = new ScriptedServer(answerOnceThenCloseOnTheNextRequest, answerB)) {
      HttpClientPool pool = pool(fake.port(), 1);
      assertThat(get(pool, "/1").body()).containsExactly('a');
      assertThatThrownBy(() -> pool.exchange("POST", "/2", Map.of(), null, LONG))
          .isInstanceOf(IOException.class);
      assertThat(get(pool, "/3").body()).containsExactly('b');
      pool.close();
      fake.awaitScripts();
    }
  }

  private static int status(HttpClientPool pool, String target) {
    try {
      return get(pool, target).status();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("request head cut: " + head);
      }
      head.write(b);
    }
  }

  private static void write(Socket s, String text) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write(text.getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  /** A socket script: what the fake server does with one accepted connection. */
  interface Script {
    void run(Socket s) throws Exception;
  }

  /** Accepts one connection per script, in order, and runs the script on it. */
  static final class ScriptedServer implements AutoCloseable {
    private final ServerSocket socket = new ServerSocket(0);
    private final CompletableFuture<Void> done;

    ScriptedServer(Script... scripts) throws IOException {
      done =
          CompletableFuture.runAsync(
              () -> {
                for (Script script : scripts) {
                  try (Socket s = socket.accept()) {
                    script.run(s);
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                }
              });
    }

    int port() {
      return socket.getLocalPort();
    }

    /** Waits for every script to have run, rethrowing what failed in one. */
    void awaitScripts() throws Exception {
      done.get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
