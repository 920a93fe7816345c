package dev.ipc.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipc.http.testing.RawHttp;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

// A few waits spin on server counters that no event announces (see awaitUntil); Thread.yield()
// leaves
// the (shared, small) CPU to the server threads they wait for.
@SuppressWarnings("ThreadPriorityCheck")
@Timeout(30)
class HttpServerTest {
  private final ExecutorService executor = Executors.newFixedThreadPool(4);
  private final List<HttpServer> servers = new ArrayList<>();

  @AfterEach
  void stop() {
    servers.forEach(HttpServer::shutdownNow);
    executor.shutdownNow();
  }

  private HttpServer start(HttpHandler handler) throws IOException {
    return start(HttpServer.builder().handler(handler));
  }

  private HttpServer start(HttpServerBuilder builder) throws IOException {
    HttpServer server =
        builder.host("127.0.0.1").port(0).executor(executor).workerThreads(1).start();
    servers.add(server);
    return server;
  }

  /**
   * Answers the path (and the body, if any) as text; {@code /slow} first counts {@code entered}
   * down and waits for {@code release}, so a test can hold one request in flight.
   */
  private static HttpHandler holdingSlow(CountDownLatch entered, CountDownLatch release) {
    return r -> {
      if (r.path().equals("/slow")) {
        entered.countDown();
        release.await();
      }
      return HttpResponse.text(
          200, r.bodyText().isEmpty() ? r.path() : r.path() + " " + r.bodyText());
    };
  }

  /** Waits, on another thread, up to 10 s for {@code server} to finish its close. */
  private static CompletableFuture<Boolean> terminationOf(HttpServer server) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return server.awaitTermination(Duration.ofSeconds(10));
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
        });
  }

  /** Echoes what the handler saw, one item per line. */
  private static HttpResponse echo(HttpRequest r) {
    return HttpResponse.text(
        200,
        String.join(
            "\n",
            r.method(),
            r.uri(),
            r.rawPath(),
            r.path(),
            String.valueOf(r.queryParams()),
            String.valueOf(r.contentType()),
            r.bodyText(),
            Thread.currentThread().getName()));
  }

  @Test
  void request_rawTargetWithBracesIsDecodedAndHandledOffTheEventLoop() throws IOException {
    HttpServer server = start(HttpServerTest::echo);
    try (RawHttp c = new RawHttp(server.localAddress().getPort())) {
      c.send("GET /graphql?query={name%0Ahobby} HTTP/1.1\r\nHost: x\r\n\r\n");
      RawHttp.Response r = c.read();
      assertThat(r.status()).isEqualTo(200);
      String[] lines = r.body().split("\n", -1);
      assertThat(lines[0]).isEqualTo("GET");
      assertThat(lines[1]).isEqualTo("/graphql?query={name%0Ahobby}");
      assertThat(lines[2]).isEqualTo("/graphql");
      assertThat(lines[3]).isEqualTo("/graphql");
      assertThat(r.body()).contains("{query=[{name", "hobby}]}");
      assertThat(r.body()).doesNotContain("ipc-http-worker");
    }
  }

  @Test
  void request_bodyAndContentTypeReachTheHandler() throws IOException {
    HttpServer server = start(HttpServerTest::echo);
    try (RawHttp c = new RawHttp(server.localAddress().getPort())) {
      c.send(
          "PUT /tasks/a%2Fb HTTP/1.1\r\nHost: x\r\nContent-Type: Application/JSON; charset=utf-8\r\n"
              + "Content-Length: 13\r\n\r\n{\"name\":\"é\"}");
      String[] lines = c.read().body().split("\n", -1);
      assertThat(lines[0]).isEqualTo("PUT");
      assertThat(lines[2]).isEqualTo("/tasks/a%2Fb");
      assertThat(lines[3]).isEqualTo("/tasks/a/b");
      assertThat(lines[5]).isEqualTo("application/json");
      assertThat(lines[6]).isEqualTo("{\"name\":\"é\"}");
    }
  }

  @Test
  void keepAlive_pipelinedRequestsAnsweredInOrderOnOneConnection() throws IOException {
    java.util.concurrent.atomic.AtomicReference<HttpServer> self =
        new java.util.concurrent.atomic.AtomicReference<>();
    HttpServer server =
        start(
            r -> {
              if (r.path().equals("/slow")) {
                // Hold the first answer until the two pipelined requests behind it were received:
                // an
                // implementation answering out of order would have answered them by now.
                awaitUntil(
                    () -> self.get().inFlight() >= 3, () -> "in flight: " + self.get().inFlight());
              }
              return HttpResponse.text(200, r.path());
            });
    self.set(server);
    try (RawHttp c = new RawHttp(server.localAddress().getPort())) {
      c.send(
          "GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /fast HTTP/1.1\r\nHost: x\r\n\r\n"
              + "HEAD /head HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(c.read().body()).isEqualTo("/slow");
      assertThat(c.read().body()).isEqualTo("/fast");
      RawHttp.Response head = c.read(true);
      assertThat(head.status()).isEqualTo(200);
      assertThat(head.header("content-length")).isEqualTo("5");
      c.send("GET /again HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(c.read().body()).isEqualTo("/again");
      assertThat(server.connections()).isEqualTo(1);
    }
  }

  @Test
  void bigAnswer_moreThanTheSocketTakesAtOnce_arrivesWholeBeforeThePipelinedNextOne()
      throws IOException {
    // 32 MiB is more than a loopback socket buffers: the call thread's direct write stops part way
    // and
    // Netty must write the rest, still before the next answer on the connection.
    int size = 32 << 20;
    byte[] big = new byte[size];
    for (int i = 0; i < size; i++) {
      big[i] = (byte) ('a' + i % 26);
    }
    HttpServer server =
        start(
            r ->
                r.path().equals("/big")
                    ? HttpResponse.of(200, "text/plain", big)
                    : HttpResponse.text(200, r.path()));
    try (RawHttp c = new RawHttp(server.localAddress().getPort())) {
      // Both sent before anything is read, so the server meets a full socket.
      c.send("GET /big HTTP/1.1\r\nHost: x\r\n\r\nGET /small HTTP/1.1\r\nHost: x\r\n\r\n");
      RawHttp.Response first = c.read();
      assertThat(first.status()).isEqualTo(200);
      assertThat(first.header("content-length")).isEqualTo(String.valueOf(size));
      assertThat(first.body()).hasSize(size);
      assertThat(first.body().getBytes(java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo(big);
      assertThat(c.read().body()).isEqualTo("/small");
      c.send("HEAD /big HTTP/1.1\r\nHost: x\r\n\r\nGET /after HTTP/1.1\r\nHost: x\r\n\r\n");
      RawHttp.Response head = c.read(true);
      assertThat(head.header("content-length")).isEqualTo(String.valueOf(size));
      assertThat(c.read().body()).isEqualTo("/after");
    }
    // Counted out right after each write returns, which may be just after the client has read it.
    awaitUntil(() -> server.inFlight() == 0, () -> "in flight: " + server.inFlight());
  }

  @Test
  void http10_closesUnlessKeepAliveAsked() throws IOException {
    HttpServer server = start(r -> HttpResponse.text(200, "ok"));
    try (RawHttp c = new RawHttp(server.localAddress().getPort())) {
      c.send("GET / HTTP/1.0\r\n\r\n");
      assertThat(c.read().body()).isEqualTo("ok");
      assertThat(c.closedByServer()).isTrue();
    }
    try (RawHttp c = new RawHttp(server.localAddress().getPort())) {
      c.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
      RawHttp.Response r = c.read();
      assertThat(r.header("connection")).isEqualToIgnoringCase("keep-alive");
      c.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
      assertThat(c.read().body()).isEqualTo("ok");
    }
  }

  @Test
  void body_tooLarge_is413ProblemAndConnectionStaysUsable() throws IOException {
    HttpServer server =
        start(
            HttpServer.builder()
                .handler(r -> HttpResponse.text(200, "n=" + r.body().length))
                .maxBodyBytes(10));
    try (RawHttp c = new RawHttp(server.localAddress().getPort())) {
      c.send("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n01234567890");
      RawHttp.Response r = c.read();
      assertThat(r.status()).isEqualTo(413);
      assertThat(r.header("content-type")).isEqualTo("application/problem+json");
      assertThat(r.body())
          .contains("\"status\":413", "\"code\":\"RESOURCE_EXHAUSTED\"", "10 bytes");
      c.send("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789");
      assertThat(c.read().body()).isEqualTo("n=10");
    }
    try (RawHttp c = new RawHttp(server.localAddress().getPort())) {
      c.send("POST /x HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 1000\r\n\r\n");
      RawHttp.Response r = c.read();
      assertThat(r.status()).isEqualTo(413);
      // The client never sends the announced body (it was told not to): the server must not wait
      // for
      // it, or the client's next request would be read as that body.
      assertThat(r.header("connection")).isEqualTo("close");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void expect100_whileAnEarlierAnswerIsOwed_comesAfterThatAnswer() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    HttpServer server = start(holdingSlow(entered, release));
    int port = server.localAddress().getPort();
    try (RawHttp c = new RawHttp(port)) {
      // Pipelined: a request held in the handler, then one that sends its body only after 100
      // Continue.
      c.send(
          "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"
              + "POST /next HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
      assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
      Thread.sleep(200);
      assertThat(c.available()).as("nothing may come before the held answer").isZero();
      release.countDown();
      assertThat(c.read().body()).isEqualTo("/slow");
      assertThat(c.read().status()).isEqualTo(100);
      c.send("body");
      RawHttp.Response next = c.read();
      assertThat(next.status()).isEqualTo(200);
      assertThat(next.body()).isEqualTo("/next body");
    }
    // On an idle connection the 100 comes at once, and a later one on the same connection too.
    try (RawHttp c = new RawHttp(port)) {
      for (int i = 0; i < 2; i++) {
        c.send(
            "POST /now HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
        assertThat(c.read().status()).isEqualTo(100);
        c.send("ok");
        assertThat(c.read().body()).isEqualTo("/now ok");
      }
    }
  }

  @Test
  void malformedRequest_is400ProblemThenClosed() throws IOException {
    HttpServer server = start(r -> HttpResponse.text(200, "ok"));
    try (RawHttp c = new RawHttp(server.localAddress().getPort())) {
      c.send("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: banana\r\n\r\n");
      RawHttp.Response r = c.read();
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.body()).contains("\"code\":\"INVALID_ARGUMENT\"");
      assertThat(r.header("connection")).isEqualTo("close");
    }
    try (RawHttp c = new RawHttp(server.localAddress().getPort())) {
      c.send("GET /?q=%zz HTTP/1.1\r\nHost: x\r\n\r\n");
      RawHttp.Response r = c.read();
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.body()).contains("malformed request target");
      c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(c.read().body()).isEqualTo("ok");
    }
    try (RawHttp c = new RawHttp(server.localAddress().getPort())) {
      c.send("GET /" + "a".repeat(5000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(c.read().status()).isEqualTo(414);
    }
  }

  @Test
  void handlerFailure_is500WithoutDetails() throws IOException {
    HttpServer server =
        start(
            r -> {
              throw new IllegalStateException("secret password");
            });
    try (RawHttp c = new RawHttp(server.localAddress().getPort())) {
      RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read();
      assertThat(r.status()).isEqualTo(500);
      assertThat(r.body()).contains("\"code\":\"INTERNAL\"").doesNotContain("secret");
    }
  }

  @Test
  void invalidResponseHeader_is500AndTheRequestIsNotLeftInFlight() throws Exception {
    HttpServer server =
        start(
            r ->
                r.path().equals("/bad")
                    ? HttpResponse.text(201, "made").withHeader("location", "/tasks/5\u0001")
                    : HttpResponse.text(200, "ok"));
    try (RawHttp c = new RawHttp(server.localAddress().getPort())) {
      RawHttp.Response r = c.send("GET /bad HTTP/1.1\r\nHost: x\r\n\r\n").read();
      assertThat(r.status()).isEqualTo(500);
      assertThat(r.header("location")).isNull();
      assertThat(r.body()).contains("\"code\":\"INTERNAL\"");
      assertThat(c.send("GET /good HTTP/1.1\r\nHost: x\r\n\r\n").read().body()).isEqualTo("ok");
    }
    server.beginShutdown();
    assertThat(server.awaitTermination(Duration.ofSeconds(10))).isTrue();
  }

  @Test
  void rejectingExecutor_is429() throws IOException {
    HttpServer server =
        HttpServer.builder()
            .host("127.0.0.1")
            .handler(r -> HttpResponse.text(200, "ok"))
            .executor(
                task -> {
                  throw new RejectedExecutionException("full");
                })
            .start();
    servers.add(server);
    try (RawHttp c = new RawHttp(server.localAddress().getPort())) {
      RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read();
      assertThat(r.status()).isEqualTo(429);
      assertThat(r.header("retry-after")).isEqualTo("1");
      assertThat(r.body()).contains("RESOURCE_EXHAUSTED");
    }
  }

  @Test
  void halfSentRequest_doesNotBlockOthersAndTimesOutWith408() throws IOException {
    HttpServer server =
        start(
            HttpServer.builder()
                .handler(r -> HttpResponse.text(200, "ok"))
                .idleTimeout(Duration.ofMillis(300)));
    try (RawHttp slow = new RawHttp(server.localAddress().getPort());
        RawHttp other = new RawHttp(server.localAddress().getPort())) {
      slow.send("PUT /tasks/5 HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"na");
      assertThat(other.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().body()).isEqualTo("ok");
      RawHttp.Response r = slow.read();
      assertThat(r.status()).isEqualTo(408);
      assertThat(slow.closedByServer()).isTrue();
    }
  }

  @Test
  void trickledRequest_endsAt408AfterTheRequestTimeoutEvenIfNeverIdle() throws IOException {
    HttpServer server =
        start(
            HttpServer.builder()
                .handler(r -> HttpResponse.text(200, "ok"))
                .idleTimeout(Duration.ofMinutes(10))
                .requestTimeout(Duration.ofMillis(300)));
    try (RawHttp slow = new RawHttp(server.localAddress().getPort())) {
      slow.send("PUT /tasks/5 HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{");
      RawHttp.Response r = slow.read();
      assertThat(r.status()).isEqualTo(408);
      assertThat(r.body()).contains("DEADLINE_EXCEEDED");
      assertThat(slow.closedByServer()).isTrue();
    }
    try (RawHttp whole = new RawHttp(server.localAddress().getPort())) {
      assertThat(whole.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().body()).isEqualTo("ok");
    }
  }

  @Test
  void shutdown_finishesInFlightAndRefusesNewRequestsWith503() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    HttpServer server = start(holdingSlow(entered, release));
    int port = server.localAddress().getPort();
    try (RawHttp busy = new RawHttp(port);
        RawHttp idle = new RawHttp(port)) {
      assertThat(idle.send("GET /warm HTTP/1.1\r\nHost: x\r\n\r\n").read().body())
          .isEqualTo("/warm");
      busy.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(server.inFlight()).isEqualTo(1);

      server.beginShutdown();
      RawHttp.Response refused = idle.send("GET /late HTTP/1.1\r\nHost: x\r\n\r\n").read();
      assertThat(refused.status()).isEqualTo(503);
      assertThat(refused.header("connection")).isEqualTo("close");
      assertThat(refused.body()).contains("UNAVAILABLE");

      CompletableFuture<Boolean> terminated = terminationOf(server);
      assertThat(terminated).isNotDone();
      release.countDown();
      RawHttp.Response finished = busy.read();
      assertThat(finished.body()).isEqualTo("/slow");
      assertThat(finished.header("connection")).isEqualTo("close");
      assertThat(terminated.get(10, TimeUnit.SECONDS)).isTrue();
    }
    server.shutdownNow();
    assertThat(server.connections()).isZero();
  }

  @Test
  void shutdown_pipelinedRequestsBehindTheOneInFlightGet503InOrderThenClose() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    HttpServer server = start(holdingSlow(entered, release));
    try (RawHttp c = new RawHttp(server.localAddress().getPort())) {
      c.send(
          "GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /second HTTP/1.1\r\nHost: x\r\n\r\n"
              + "PUT /third HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}");
      assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
      // All three received (one being handled, two queued) before the close begins.
      awaitUntil(() -> server.inFlight() >= 3, () -> "in flight: " + server.inFlight());
      server.beginShutdown();
      CompletableFuture<Boolean> terminated = terminationOf(server);
      release.countDown();

      RawHttp.Response first = c.read();
      assertThat(first.status()).isEqualTo(200);
      assertThat(first.body()).isEqualTo("/slow");
      assertThat(first.header("connection")).isNull();
      RawHttp.Response second = c.read();
      assertThat(second.status()).isEqualTo(503);
      assertThat(second.header("content-type")).isEqualTo("application/problem+json");
      assertThat(second.body()).contains("\"code\":\"UNAVAILABLE\"", "server is shutting down");
      assertThat(second.header("connection")).isNull();
      RawHttp.Response third = c.read();
      assertThat(third.status()).isEqualTo(503);
      assertThat(third.body()).contains("\"code\":\"UNAVAILABLE\"", "server is shutting down");
      assertThat(third.header("connection")).isEqualTo("close");
      assertThat(c.closedByServer()).isTrue();
      assertThat(terminated.get(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void maxConnections_oneMoreIs503AndClosedWhileOpenOnesKeepServing() throws Exception {
    HttpServer server =
        start(
            HttpServer.builder().handler(r -> HttpResponse.text(200, r.path())).maxConnections(2));
    int port = server.localAddress().getPort();
    try (RawHttp first = new RawHttp(port);
        RawHttp second = new RawHttp(port)) {
      assertThat(first.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n").read().body()).isEqualTo("/a");
      assertThat(second.send("GET /b HTTP/1.1\r\nHost: x\r\n\r\n").read().body()).isEqualTo("/b");

      try (RawHttp third = new RawHttp(port)) {
        RawHttp.Response refused = third.send("GET /c HTTP/1.1\r\nHost: x\r\n\r\n").read();
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.header("content-type")).isEqualTo("application/problem+json");
        assertThat(refused.header("connection")).isEqualTo("close");
        assertThat(refused.header("retry-after")).isEqualTo("1");
        assertThat(refused.body())
            .startsWith(
                "{\"type\":\"about:blank\",\"title\":\"Service Unavailable\",\"status\":503,")
            .contains("\"code\":\"UNAVAILABLE\"", "too many connections");
        assertThat(third.closedByServer()).isTrue();
      }
      assertThat(first.send("GET /a2 HTTP/1.1\r\nHost: x\r\n\r\n").read().body()).isEqualTo("/a2");
      assertThat(second.send("GET /b2 HTTP/1.1\r\nHost: x\r\n\r\n").read().body()).isEqualTo("/b2");

      second.close();
      awaitConnections(server, 1);
      // Reset, not closed: the count must drop all the same.
      try (java.net.Socket reset = new java.net.Socket("127.0.0.1", port)) {
        reset.setSoLinger(true, 0);
        reset
            .getOutputStream()
            .write(
                "GET /r HTTP/1.1\r\nHost: x\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertThat(
                new String(
                    reset.getInputStream().readNBytes(12),
                    java.nio.charset.StandardCharsets.US_ASCII))
            .isEqualTo("HTTP/1.1 200");
      }
      awaitConnections(server, 1);
      try (RawHttp fourth = new RawHttp(port)) {
        assertThat(fourth.send("GET /d HTTP/1.1\r\nHost: x\r\n\r\n").read().body()).isEqualTo("/d");
      }
      assertThat(first.send("GET /a3 HTTP/1.1\r\nHost: x\r\n\r\n").read().body()).isEqualTo("/a3");
    }
  }

  @Test
  void maxConnections_refusedConnectionIsLetGoOnceIts503IsWritten_whileItsClientStaysOpen()
      throws Exception {
    HttpServer server =
        start(
            HttpServer.builder().handler(r -> HttpResponse.text(200, r.path())).maxConnections(1));
    int port = server.localAddress().getPort();
    String body = "x".repeat(32_000);
    List<RawHttp> refused = new ArrayList<>();
    try (RawHttp first = new RawHttp(port)) {
      assertThat(first.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n").read().body()).isEqualTo("/a");
      for (int i = 0; i < 20; i++) {
        RawHttp c = new RawHttp(port);
        refused.add(c); // kept open and silent: the server must not wait for this client to close
        // Every other one sends a body, more than the server reads at once: answered without
        // waiting
        // for it, and a client that sends its whole request before reading still gets the 503.
        String request =
            i % 2 == 0
                ? "GET /r HTTP/1.1\r\nHost: x\r\n\r\n"
                : "POST /r HTTP/1.1\r\nHost: x\r\nContent-Length: "
                    + body.length()
                    + "\r\n\r\n"
                    + body;
        RawHttp.Response r = c.send(request).read();
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.body()).contains("\"code\":\"UNAVAILABLE\"", "too many connections");
        assertThat(c.closedByServer()).isTrue();
        // Let go with the 503, not after a linger: nothing of a refused connection stays on the
        // server.
        assertThat(server.refusals()).isZero();
        assertThat(first.send("GET /a" + i + " HTTP/1.1\r\nHost: x\r\n\r\n").read().body())
            .isEqualTo("/a" + i);
      }
      // One that never sends a request is answered all the same (without waiting for a head for
      // ever).
      RawHttp silent = new RawHttp(port);
      refused.add(silent);
      assertThat(silent.read().status()).isEqualTo(503);
      assertThat(silent.closedByServer()).isTrue();
      assertThat(server.refusals()).isZero();
      assertThat(server.connections()).isEqualTo(1);
      assertThat(first.send("GET /b HTTP/1.1\r\nHost: x\r\n\r\n").read().body()).isEqualTo("/b");
    } finally {
      for (RawHttp c : refused) {
        c.close();
      }
    }
  }

  @Test
  void maxConnections_refused503CarriesCorsHeadersForAnAllowedOrigin() throws Exception {
    HttpServer server =
        start(
            HttpServer.builder()
                .handler(r -> HttpResponse.text(200, r.path()))
                .maxConnections(1)
                .cors("http://a"));
    int port = server.localAddress().getPort();
    try (RawHttp first = new RawHttp(port)) {
      assertThat(first.send("GET /a HTTP/1.1\r\nHost: x\r\nOrigin: http://a\r\n\r\n").read().body())
          .isEqualTo("/a");
      try (RawHttp allowed = new RawHttp(port)) {
        RawHttp.Response r =
            allowed.send("GET /r HTTP/1.1\r\nHost: x\r\nOrigin: http://a\r\n\r\n").read();
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.header("content-type")).isEqualTo("application/problem+json");
        assertThat(r.header("access-control-allow-origin")).isEqualTo("http://a");
        assertThat(r.header("access-control-expose-headers")).isEqualTo("Location");
        assertThat(r.header("vary")).isEqualTo("origin");
        assertThat(r.header("connection")).isEqualTo("close");
        assertThat(r.body()).contains("\"code\":\"UNAVAILABLE\"", "too many connections");
        assertThat(allowed.closedByServer()).isTrue();
      }
      try (RawHttp other = new RawHttp(port)) {
        RawHttp.Response r =
            other.send("GET /r HTTP/1.1\r\nHost: x\r\nOrigin: http://evil\r\n\r\n").read();
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.header("access-control-allow-origin")).isNull();
        assertThat(other.closedByServer()).isTrue();
      }
      assertThat(
              first
                  .send("GET /b HTTP/1.1\r\nHost: x\r\nOrigin: http://a\r\n\r\n")
                  .read()
                  .header("access-control-allow-origin"))
          .isEqualTo("http://a");
    }
  }

  /** Answers the path and how many body bytes came. */
  private static HttpResponse bodySize(HttpRequest r) {
    return HttpResponse.text(200, r.path() + " " + r.body().length);
  }

  @Test
  void bodyBudget_aBodyBeyondItIsAnswered503AndClosed_othersAreServed() throws IOException {
    HttpServer server =
        start(HttpServer.builder().handler(HttpServerTest::bodySize).maxBufferedBodyBytes(100_000));
    int port = server.localAddress().getPort();
    try (RawHttp a = new RawHttp(port);
        RawHttp b = new RawHttp(port);
        RawHttp c = new RawHttp(port)) {
      a.send("PUT /a HTTP/1.1\r\nHost: x\r\nContent-Length: 80000\r\n\r\n" + "a".repeat(60_000));
      awaitBodyBytes(server, 60_000);

      // 60,000 + 40,001 > 100,000: refused on its last byte, so nothing it sent is left unread.
      b.send("PUT /b HTTP/1.1\r\nHost: x\r\nContent-Length: 50000\r\n\r\n" + "b".repeat(40_001));
      RawHttp.Response refused = b.read();
      assertThat(refused.status()).isEqualTo(503);
      assertThat(refused.header("content-type")).isEqualTo("application/problem+json");
      assertThat(refused.body()).contains("\"code\":\"UNAVAILABLE\"", "retry later");
      assertThat(refused.header("retry-after")).isEqualTo("1");
      assertThat(refused.header("connection")).isEqualTo("close");
      assertThat(b.closedByServer()).isTrue();
      assertThat(server.bodyBytesHeld())
          .as("the refused body's bytes are given back")
          .isEqualTo(60_000);

      assertThat(c.send("GET /c HTTP/1.1\r\nHost: x\r\n\r\n").read().body()).isEqualTo("/c 0");
      assertThat(
              c.send(
                      "PUT /c HTTP/1.1\r\nHost: x\r\nContent-Length: 30000\r\n\r\n"
                          + "c".repeat(30_000))
                  .read()
                  .body())
          .as("a body that fits is served")
          .isEqualTo("/c 30000");

      a.send("a".repeat(20_000));
      assertThat(a.read().body()).isEqualTo("/a 80000");
      assertThat(server.bodyBytesHeld()).isZero();
      assertThat(
              c.send(
                      "PUT /d HTTP/1.1\r\nHost: x\r\nContent-Length: 90000\r\n\r\n"
                          + "d".repeat(90_000))
                  .read()
                  .body())
          .as("the whole budget is there again")
          .isEqualTo("/d 90000");
    }
    assertThat(server.bodyBytesHeld()).isZero();
  }

  @Test
  void bodyBudget_aBodyThatCannotFitIsRefusedBeforeItsClientSendsIt_insteadOf100Continue()
      throws IOException {
    HttpServer server =
        start(HttpServer.builder().handler(HttpServerTest::bodySize).maxBufferedBodyBytes(100_000));
    int port = server.localAddress().getPort();
    try (RawHttp a = new RawHttp(port);
        RawHttp b = new RawHttp(port)) {
      a.send("PUT /a HTTP/1.1\r\nHost: x\r\nContent-Length: 80000\r\n\r\n" + "a".repeat(60_000));
      awaitBodyBytes(server, 60_000);

      b.send("PUT /b HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 40001\r\n\r\n");
      RawHttp.Response refused = b.read();
      assertThat(refused.status()).as("a final answer, not 100 Continue").isEqualTo(503);
      assertThat(refused.body()).contains("\"code\":\"UNAVAILABLE\"");
      assertThat(refused.header("retry-after")).isEqualTo("1");
      assertThat(b.closedByServer()).isTrue();
      assertThat(server.bodyBytesHeld()).isEqualTo(60_000);
    }
    try (RawHttp c = new RawHttp(port)) {
      // One that fits still gets its 100 Continue.
      c.send("PUT /c HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 40000\r\n\r\n");
      assertThat(c.read().status()).isEqualTo(100);
      c.send("c".repeat(40_000));
      assertThat(c.read().body()).isEqualTo("/c 40000");
    }
  }

  @Test
  void bodyBudget_givenBackWhenAClientLeavesMidBody_andNotTakenByBodiesTooLarge()
      throws IOException {
    HttpServer server =
        start(
            HttpServer.builder()
                .handler(HttpServerTest::bodySize)
                .maxBodyBytes(10_000)
                .maxBufferedBodyBytes(50_000));
    int port = server.localAddress().getPort();
    RawHttp gone = new RawHttp(port);
    gone.send("PUT /gone HTTP/1.1\r\nHost: x\r\nContent-Length: 9000\r\n\r\n" + "g".repeat(5_000));
    awaitBodyBytes(server, 5_000);
    gone.close();
    awaitBodyBytes(server, 0);

    try (RawHttp c = new RawHttp(port)) {
      // Announced too large: skipped by the aggregator, which keeps the connection.
      assertThat(
              c.send(
                      "PUT /big HTTP/1.1\r\nHost: x\r\nContent-Length: 20000\r\n\r\n"
                          + "x".repeat(20_000))
                  .read()
                  .status())
          .isEqualTo(413);
      assertThat(c.send("GET /after HTTP/1.1\r\nHost: x\r\n\r\n").read().body())
          .isEqualTo("/after 0");
      assertThat(server.bodyBytesHeld()).isZero();
    }
    try (RawHttp c = new RawHttp(port)) {
      // Found too large only as it arrives (chunked): what was counted is given back with the 413.
      c.send(
          "PUT /chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2710\r\n"
              + "y".repeat(10_000)
              + "\r\n7d0\r\n"
              + "y".repeat(2_000)
              + "\r\n0\r\n\r\n");
      assertThat(c.read().status()).isEqualTo(413);
      assertThat(server.bodyBytesHeld()).isZero();
    }
  }

  /** Waits until the server holds {@code n} request-body bytes. */
  private static void awaitBodyBytes(HttpServer server, long n) {
    awaitUntil(
        () -> server.bodyBytesHeld() == n,
        () -> server.bodyBytesHeld() + " body bytes held, not " + n);
  }

  /** Waits until the server has noticed closes down to {@code n} open. */
  private static void awaitConnections(HttpServer server, int n) {
    awaitUntil(
        () -> server.connections() == n,
        () -> server.connections() + " connections open, not " + n);
  }

  /**
   * Spins up to 10 s until {@code condition} holds, then fails saying {@code state}. A deadline of
   * its own: the class @Timeout interrupts the test thread, which a spin never notices.
   */
  private static void awaitUntil(
      java.util.function.BooleanSupplier condition, java.util.function.Supplier<String> state) {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("not within 10 s: " + state.get());
      }
      Thread.yield();
    }
  }

  @Test
  void cors_offByDefault_onWhenConfigured() throws IOException {
    HttpServer plain = start(r -> HttpResponse.text(200, r.method()));
    try (RawHttp c = new RawHttp(plain.localAddress().getPort())) {
      RawHttp.Response r =
          c.send(
                  "OPTIONS /x HTTP/1.1\r\nHost: x\r\nOrigin: http://a\r\nAccess-Control-Request-Method: PUT\r\n\r\n")
              .read();
      assertThat(r.body()).isEqualTo("OPTIONS");
      assertThat(r.header("access-control-allow-origin")).isNull();
    }
    HttpServer cors =
        start(HttpServer.builder().handler(r -> HttpResponse.text(200, "ok")).cors("http://a"));
    try (RawHttp c = new RawHttp(cors.localAddress().getPort())) {
      RawHttp.Response pre =
          c.send(
                  "OPTIONS /x HTTP/1.1\r\nHost: x\r\nOrigin: http://a\r\nAccess-Control-Request-Method: PUT\r\n"
                      + "Access-Control-Request-Headers: content-type\r\n\r\n")
              .read();
      assertThat(pre.status()).isEqualTo(204);
      assertThat(pre.header("access-control-allow-origin")).isEqualTo("http://a");
      assertThat(pre.header("access-control-allow-methods")).contains("PUT");
      assertThat(pre.header("access-control-allow-headers")).isEqualTo("content-type");
      RawHttp.Response get =
          c.send("GET /x HTTP/1.1\r\nHost: x\r\nOrigin: http://a\r\n\r\n").read();
      assertThat(get.header("access-control-allow-origin")).isEqualTo("http://a");
      RawHttp.Response other =
          c.send("GET /x HTTP/1.1\r\nHost: x\r\nOrigin: http://evil\r\n\r\n").read();
      assertThat(other.header("access-control-allow-origin")).isNull();
    }
  }

  @Test
  void problem_isRfc9457WithExtensions() {
    HttpResponse p = HttpResponse.problem(404, "no \"task\" 42\n", Map.of("code", "NOT_FOUND"));
    assertThat(p.header("Content-Type")).isEqualTo("application/problem+json");
    assertThat(new String(p.body(), java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"type\":\"about:blank\",\"title\":\"Not Found\",\"status\":404,"
                + "\"detail\":\"no \\\"task\\\" 42\\n\",\"code\":\"NOT_FOUND\"}");
  }

  @Test
  void start_portTaken_isIOException() throws IOException {
    HttpServer first = start(r -> HttpResponse.of(204));
    HttpServerBuilder second =
        HttpServer.builder()
            .host("127.0.0.1")
            .port(first.localAddress().getPort())
            .executor(executor)
            .handler(r -> HttpResponse.of(204));
    org.assertj.core.api.Assertions.assertThatThrownBy(second::start)
        .isInstanceOf(IOException.class);
  }
}
