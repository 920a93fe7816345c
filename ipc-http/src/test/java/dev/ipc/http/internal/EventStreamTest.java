package dev.ipc.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipc.core.Tls;
import dev.ipc.core.testing.Interop;
import dev.ipc.core.testing.TestCertificates;
import dev.ipc.http.testing.PemSsl;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Server-Sent Events answers ({@link HttpResponse#events}) read by real clients: the JDK's, curl, a
 * raw socket.
 */
@Timeout(60)
class EventStreamTest {
  private final ExecutorService executor = Executors.newFixedThreadPool(4);
  private final List<HttpServer> servers = new ArrayList<>();
  private final HttpClient client = HttpClient.newHttpClient();

  @TempDir Path dir;

  @AfterEach
  void stop() {
    servers.forEach(HttpServer::shutdownNow);
    executor.shutdownNow();
  }

  private HttpServer start(HttpServerBuilder b) throws IOException {
    HttpServer server = b.host("127.0.0.1").port(0).executor(executor).workerThreads(1).start();
    servers.add(server);
    return server;
  }

  /** A server whose every request gets an event stream handed to {@code writers}. */
  private HttpServer streaming(CompletableFuture<EventWriter> writer) throws IOException {
    return start(HttpServer.builder().handler(r -> HttpResponse.events(writer::complete)));
  }

  private URI uri(HttpServer server, String path) {
    return URI.create("http://127.0.0.1:" + server.localAddress().getPort() + path);
  }

  private static void await(java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean() && System.nanoTime() < end) {
      Thread.sleep(5);
    }
    assertThat(condition.getAsBoolean()).as("condition within 20 s").isTrue();
  }

  @Test
  void events_areFramedAndTheEndEndsTheBody() throws Exception {
    HttpServer server =
        start(
            HttpServer.builder()
                .handler(
                    r ->
                        HttpResponse.events(
                                w -> {
                                  w.send("greeting", "1", "hello\r\nworld\nagain\rend");
                                  w.comment("just a comment");
                                  w.send(null, "2", "{\"id\":2}");
                                  w.send("");
                                  w.end();
                                  assertThat(w.send("too late")).isFalse();
                                })
                            .withHeader("x-extra", "yes")));
    java.net.http.HttpResponse<String> r =
        client.send(
            java.net.http.HttpRequest.newBuilder(uri(server, "/events")).build(),
            BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("text/event-stream");
    assertThat(r.headers().firstValue("cache-control")).hasValue("no-store");
    assertThat(r.headers().firstValue("x-extra")).hasValue("yes");
    assertThat(r.headers().firstValue("content-length")).isEmpty();
    assertThat(r.headers().firstValue("transfer-encoding")).hasValue("chunked");
    assertThat(r.body())
        .isEqualTo(
            "event: greeting\nid: 1\ndata: hello\ndata: world\ndata: again\ndata: end\n\n"
                + ": just a comment\n\n"
                + "id: 2\ndata: {\"id\":2}\n\n"
                + "data: \n\n");
    await(() -> server.inFlight() == 0);
  }

  @Test
  void events_arriveOneByOneWhileTheStreamIsOpen() throws Exception {
    CompletableFuture<EventWriter> writer = new CompletableFuture<>();
    HttpServer server = streaming(writer);
    java.net.http.HttpResponse<InputStream> r =
        client.send(
            java.net.http.HttpRequest.newBuilder(uri(server, "/")).build(),
            BodyHandlers.ofInputStream());
    EventWriter w = writer.get(20, TimeUnit.SECONDS);
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
      for (int i = 1; i <= 3; i++) {
        // Each event is read before the next is sent: nothing waits for the end to be delivered.
        assertThat(w.send(null, String.valueOf(i), "value " + i)).isTrue();
        assertThat(in.readLine()).isEqualTo("id: " + i);
        assertThat(in.readLine()).isEqualTo("data: value " + i);
        assertThat(in.readLine()).isEmpty();
      }
      w.end();
      assertThat(in.readLine()).isNull();
    }
    assertThat(w.isOpen()).isFalse();
  }

  @Test
  @Interop
  void curlSeesEachEventAsItIsSent() throws Exception {
    CompletableFuture<EventWriter> writer = new CompletableFuture<>();
    HttpServer server = streaming(writer);
    Process curl =
        new ProcessBuilder("curl", "-sS", "-N", uri(server, "/watch").toString())
            .redirectErrorStream(true)
            .start();
    EventWriter w = writer.get(20, TimeUnit.SECONDS);
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(curl.getInputStream(), StandardCharsets.UTF_8))) {
      w.send(null, "7", "first");
      assertThat(out.readLine()).isEqualTo("id: 7");
      assertThat(out.readLine()).isEqualTo("data: first");
      assertThat(out.readLine()).isEmpty();
      w.send(null, "8", "second");
      w.end();
      assertThat(out.lines().collect(Collectors.toList()))
          .containsExactly("id: 8", "data: second", "");
    }
    assertThat(curl.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(curl.exitValue()).as("curl saw a clean end").isZero();
  }

  @Test
  void onClose_runsWhenTheClientGoesAway() throws Exception {
    CompletableFuture<EventWriter> writer = new CompletableFuture<>();
    HttpServer server = streaming(writer);
    CountDownLatch closed = new CountDownLatch(1);
    try (Socket s = new Socket("127.0.0.1", server.localAddress().getPort())) {
      s.getOutputStream()
          .write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      EventWriter w = writer.get(20, TimeUnit.SECONDS);
      w.onClose(closed::countDown);
      assertThat(server.inFlight()).isEqualTo(1);
    }
    assertThat(closed.await(20, TimeUnit.SECONDS)).isTrue();
    EventWriter w = writer.get();
    assertThat(w.isOpen()).isFalse();
    assertThat(w.send("after")).isFalse();
    await(() -> server.inFlight() == 0);
    // Registered after the close: runs at once.
    CountDownLatch late = new CountDownLatch(1);
    w.onClose(late::countDown);
    assertThat(late.getCount()).isZero();
  }

  @Test
  void aPipelinedRequestAfterAStreamIsNotMixedIntoIt() throws Exception {
    CompletableFuture<EventWriter> writer = new CompletableFuture<>();
    HttpServer server =
        start(
            HttpServer.builder()
                .handler(
                    r ->
                        r.path().equals("/stream")
                            ? HttpResponse.events(writer::complete)
                            : HttpResponse.text(200, "plain answer")));
    try (Socket s = new Socket("127.0.0.1", server.localAddress().getPort())) {
      s.setSoTimeout(20_000);
      s.getOutputStream()
          .write(
              ("GET /stream HTTP/1.1\r\nHost: x\r\n\r\nGET /other HTTP/1.1\r\nHost: x\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      EventWriter w = writer.get(20, TimeUnit.SECONDS);
      w.send("one");
      w.end();
      String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      assertThat(all).startsWith("HTTP/1.1 200 OK\r\n");
      assertThat(all.toLowerCase(java.util.Locale.ROOT)).contains("connection: close\r\n");
      assertThat(all).endsWith("data: one\n\n\r\n0\r\n\r\n");
      assertThat(all).doesNotContain("plain answer").containsOnlyOnce("HTTP/1.1");
    }
    await(() -> server.inFlight() == 0);
  }

  @Test
  void http10GetsTheEventsUntilTheClose() throws Exception {
    HttpServer server =
        start(
            HttpServer.builder()
                .handler(
                    r ->
                        HttpResponse.events(
                            w -> {
                              w.send("only");
                              w.end();
                            })));
    try (Socket s = new Socket("127.0.0.1", server.localAddress().getPort())) {
      s.setSoTimeout(20_000);
      s.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      assertThat(all).startsWith("HTTP/1.0 200 OK\r\n").endsWith("\r\n\r\ndata: only\n\n");
      assertThat(all.toLowerCase(java.util.Locale.ROOT)).doesNotContain("transfer-encoding");
    }
  }

  @Test
  void headGetsTheHeadAndTheStreamIsClosedAtOnce() throws Exception {
    CompletableFuture<EventWriter> writer = new CompletableFuture<>();
    HttpServer server = streaming(writer);
    java.net.http.HttpResponse<String> r =
        client.send(
            java.net.http.HttpRequest.newBuilder(uri(server, "/"))
                .method("HEAD", java.net.http.HttpRequest.BodyPublishers.noBody())
                .build(),
            BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("text/event-stream");
    assertThat(r.body()).isEmpty();
    EventWriter w = writer.get(20, TimeUnit.SECONDS);
    assertThat(w.isOpen()).isFalse();
    CountDownLatch closed = new CountDownLatch(1);
    w.onClose(closed::countDown);
    assertThat(closed.getCount()).isZero();
  }

  @Test
  void aSilentStreamGetsHeartbeatComments() throws Exception {
    CompletableFuture<EventWriter> writer = new CompletableFuture<>();
    HttpServer server =
        start(
            HttpServer.builder()
                .heartbeat(Duration.ofMillis(50))
                .handler(r -> HttpResponse.events(writer::complete)));
    java.net.http.HttpResponse<InputStream> r =
        client.send(
            java.net.http.HttpRequest.newBuilder(uri(server, "/")).build(),
            BodyHandlers.ofInputStream());
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
      assertThat(in.readLine()).isEqualTo(":");
      assertThat(in.readLine()).isEmpty();
      assertThat(in.readLine()).isEqualTo(":");
      writer.get().end();
    }
    assertThat(EventWriter.HEARTBEAT).isEqualTo(Duration.ofSeconds(15));
  }

  @Test
  void writabilityFollowsTheClientsReading() throws Exception {
    CompletableFuture<EventWriter> writer = new CompletableFuture<>();
    HttpServer server = streaming(writer);
    try (Socket s = new Socket()) {
      s.setReceiveBufferSize(4096);
      s.connect(server.localAddress());
      s.getOutputStream()
          .write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      EventWriter w = writer.get(20, TimeUnit.SECONDS);
      AtomicInteger writable = new AtomicInteger();
      w.onWritable(writable::incrementAndGet);
      String big = "x".repeat(8192);
      int sent = 0;
      // The client reads nothing: the socket fills, then Netty's buffer, past its high-water mark.
      // The
      // event loop may still move bytes into the socket after the mark is crossed (and writability
      // come back, with its callback) until the kernel's buffers are full: fill again until the
      // channel stays unwritable, so every callback counted after that is the client's reading.
      do {
        while (w.isWritable()) {
          w.send(big);
          sent++;
          if (sent % 64 == 0) {
            Thread.sleep(1); // lets the event loop write, so the socket, not just the queue, fills
          }
        }
        Thread.sleep(100);
      } while (w.isWritable());
      int before = writable.get();
      assertThat(w.isOpen()).isTrue();
      // Now the client reads: the buffer drains below the low-water mark.
      s.setSoTimeout(20_000);
      InputStream in = s.getInputStream();
      byte[] buf = new byte[65536];
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (writable.get() == before && System.nanoTime() < end && in.read(buf) > 0) {
        // reading
      }
      assertThat(writable.get()).isGreaterThan(before);
      assertThat(w.isWritable()).isTrue();
      w.end();
    }
  }

  @Test
  void aGracefulCloseWaitsForTheStreamsEnd() throws Exception {
    CompletableFuture<EventWriter> writer = new CompletableFuture<>();
    HttpServer server = streaming(writer);
    java.net.http.HttpResponse<InputStream> r =
        client.send(
            java.net.http.HttpRequest.newBuilder(uri(server, "/")).build(),
            BodyHandlers.ofInputStream());
    EventWriter w = writer.get(20, TimeUnit.SECONDS);
    server.beginShutdown();
    CompletableFuture<Boolean> terminated =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return server.awaitTermination(Duration.ofSeconds(20));
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    // What core does on close: the stream's last values, then its end, after the shutdown began.
    w.send(null, "9", "last");
    w.end();
    assertThat(new String(r.body().readAllBytes(), StandardCharsets.UTF_8))
        .isEqualTo("id: 9\ndata: last\n\n");
    assertThat(terminated.get(20, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void overTlsEveryEventIsEncrypted() throws Exception {
    TestCertificates certs = TestCertificates.create(dir);
    AtomicReference<EventWriter> held = new AtomicReference<>();
    HttpServer server =
        start(
            HttpServer.builder()
                .tls(Tls.fromPem(certs.serverCert(), certs.serverKey()))
                .handler(
                    r ->
                        HttpResponse.events(
                            w -> {
                              held.set(w);
                              // From another thread than the handler's, as core's executor sends.
                              executor.execute(
                                  () -> {
                                    for (int i = 1; i <= 100; i++) {
                                      w.send(null, String.valueOf(i), "v" + i);
                                    }
                                    w.end();
                                  });
                            })));
    HttpClient tls =
        HttpClient.newBuilder().sslContext(PemSsl.context(certs.ca(), null, null)).build();
    java.net.http.HttpResponse<String> r =
        tls.send(
            java.net.http.HttpRequest.newBuilder(
                    URI.create("https://localhost:" + server.localAddress().getPort() + "/"))
                .build(),
            BodyHandlers.ofString());
    StringBuilder expected = new StringBuilder();
    for (int i = 1; i <= 100; i++) {
      expected.append("id: ").append(i).append("\ndata: v").append(i).append("\n\n");
    }
    assertThat(r.body()).isEqualTo(expected.toString());
    assertThat(held.get().isOpen()).isFalse();
  }

  @Test
  void aBadEventNameOrIdIsRefused() throws Exception {
    CompletableFuture<EventWriter> writer = new CompletableFuture<>();
    HttpServer server = streaming(writer);
    client.sendAsync(
        java.net.http.HttpRequest.newBuilder(uri(server, "/")).build(), BodyHandlers.discarding());
    EventWriter w = writer.get(20, TimeUnit.SECONDS);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> w.send("a\nb", null, "x"))
        .isInstanceOf(IllegalArgumentException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> w.send(null, "1\r", "x"))
        .isInstanceOf(IllegalArgumentException.class);
    w.end();
  }

  @Test
  void thePoolsStreamReadsTheBodyAsItComesAndItsCancelClosesTheConnection() throws Exception {
    CompletableFuture<EventWriter> writer = new CompletableFuture<>();
    HttpServer server = streaming(writer);
    try (HttpClientPool pool =
        HttpClientPool.open(
            "t", "127.0.0.1", server.localAddress().getPort(), 1, Duration.ofSeconds(5), 1024)) {
      BlockingQueueListener first = new BlockingQueueListener();
      Runnable cancel =
          pool.stream(
              "GET",
              "/a",
              java.util.Map.of("accept", "text/event-stream"),
              Duration.ofSeconds(20),
              first);
      EventWriter w = writer.get(20, TimeUnit.SECONDS);
      assertThat(first.take()).isEqualTo("head 200 text/event-stream");
      w.send("one");
      assertThat(first.take()).isEqualTo("data data: one\n\n");
      CountDownLatch closed = new CountDownLatch(1);
      w.onClose(closed::countDown);
      cancel.run();
      assertThat(closed.await(20, TimeUnit.SECONDS)).isTrue();
      await(() -> server.inFlight() == 0);
      // The end of the body ends the stream.
      CompletableFuture<EventWriter> next = new CompletableFuture<>();
      HttpServer other = streaming(next);
      try (HttpClientPool pool2 =
          HttpClientPool.open(
              "t2", "127.0.0.1", other.localAddress().getPort(), 1, Duration.ofSeconds(5), 1024)) {
        BlockingQueueListener second = new BlockingQueueListener();
        pool2.stream("GET", "/b", java.util.Map.of(), Duration.ofSeconds(20), second);
        EventWriter w2 = next.get(20, TimeUnit.SECONDS);
        w2.send("two");
        w2.end();
        assertThat(second.take()).startsWith("head 200");
        assertThat(second.take()).isEqualTo("data data: two\n\n");
        assertThat(second.take()).isEqualTo("end");
      }
    }
  }

  /** Records a stream's callbacks as lines. */
  private static final class BlockingQueueListener implements HttpClientPool.StreamListener {
    final java.util.concurrent.BlockingQueue<String> seen =
        new java.util.concurrent.LinkedBlockingQueue<>();

    @Override
    public void onHead(HttpClientPool.Response head) {
      seen.add("head " + head.status() + " " + head.header("content-type"));
    }

    @Override
    public void onData(byte[] bytes) {
      seen.add("data " + new String(bytes, StandardCharsets.UTF_8));
    }

    @Override
    public void onEnd() {
      seen.add("end");
    }

    @Override
    public void onError(IOException e) {
      seen.add("error " + e);
    }

    String take() throws InterruptedException {
      String s = seen.poll(20, TimeUnit.SECONDS);
      assertThat(s).as("a callback within 20 s").isNotNull();
      return s;
    }
  }
}
