package dev.ipc.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipc.http.testing.RawHttp;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Slow and greedy clients against a real server: a request head trickled in is cut at the request
 * deadline, a client that never reads its answers is disconnected, one address cannot take every
 * connection; none of them keeps other clients from being served. Deadlines are short settings of
 * the server (1 s); the assertions are about what happened, never how fast.
 */
// The waits spin on server counters that no event announces; Thread.yield() leaves the CPU to the
// server.
@SuppressWarnings("ThreadPriorityCheck")
@Timeout(60)
class SlowClientTest {
  private final ExecutorService executor = Executors.newFixedThreadPool(4);
  private final ExecutorService clients = Executors.newCachedThreadPool();
  private final List<HttpServer> servers = new ArrayList<>();

  @AfterEach
  void stop() {
    servers.forEach(HttpServer::shutdownNow);
    executor.shutdownNow();
    clients.shutdownNow();
  }

  private HttpServer start(HttpServerBuilder builder) throws IOException {
    HttpServer server =
        builder.host("127.0.0.1").port(0).executor(executor).workerThreads(1).start();
    servers.add(server);
    return server;
  }

  private static final byte[] BIG = new byte[4 * 1024 * 1024];

  private static HttpResponse answer(HttpRequest r) {
    return r.path().equals("/big")
        ? HttpResponse.of(200, "application/octet-stream", BIG)
        : HttpResponse.text(200, r.path());
  }

  /**
   * Sends {@code head} a byte at a time, one a second, on another thread, until the server answers
   * (or closes) or the head is all sent; returns how many bytes it sent.
   */
  private CompletableFuture<Integer> trickle(Socket socket, String head, AtomicBoolean answered) {
    return CompletableFuture.supplyAsync(
        () -> {
          byte[] bytes = head.getBytes(StandardCharsets.US_ASCII);
          int sent = 0;
          try {
            OutputStream out = socket.getOutputStream();
            for (byte b : bytes) {
              if (answered.get()) {
                break;
              }
              out.write(b);
              out.flush();
              sent++;
              Thread.sleep(1000);
            }
          } catch (IOException e) {
            // closed by the server: the cut this test wants
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return sent;
        },
        clients);
  }

  /** A head far longer than the deadline lets a byte a second arrive: 300 bytes, 5 minutes. */
  private static String longHead(String path) {
    return "GET " + path + " HTTP/1.1\r\nHost: x\r\nX-Pad: " + "a".repeat(250) + "\r\n\r\n";
  }

  @Test
  void trickledRequestHead_isCutAtTheRequestDeadline_whileOthersAreServed() throws Exception {
    trickledHeadIsCut("alone");
  }

  @Test
  void trickledHead_afterAWholeRequest_isCut() throws Exception {
    trickledHeadIsCut("after a whole request");
  }

  @Test
  void trickledHead_whoseRequestLineCameWithTheRequestBefore_isCut() throws Exception {
    trickledHeadIsCut("after a whole request and a request line");
  }

  @Test
  void trickledHead_whoseFirstBytesCameWithTheRequestBefore_isCut() throws Exception {
    trickledHeadIsCut("after a whole request and part of a line");
  }

  @Test
  void stalledHead_whoseStartCameWithTheRequestBefore_isCutThoughNoByteFollows() throws Exception {
    // No later read starts the deadline here: it must run from the bytes that came with the request
    // before, whether the decoder holds them (part of a line) or has parsed them (a request line).
    HttpServer server =
        start(
            HttpServer.builder()
                .handler(SlowClientTest::answer)
                .idleTimeout(Duration.ofMinutes(10))
                .requestTimeout(Duration.ofSeconds(1)));
    for (String next :
        List.of("GET /slow HTTP/1.1\r\n", "GET /sl", "GET /slow HTTP/1.1\r\nHost: x\r\n")) {
      try (RawHttp stalled = new RawHttp(server.localAddress().getPort())) {
        stalled.send("GET /first HTTP/1.1\r\nHost: x\r\n\r\n" + next);
        assertThat(stalled.read().body()).isEqualTo("/first");
        RawHttp.Response cut = stalled.read();
        assertThat(cut.status()).as(next).isEqualTo(408);
        assertThat(stalled.closedByServer()).isTrue();
      }
    }
  }

  private void trickledHeadIsCut(String how) throws Exception {
    HttpServer server =
        start(
            HttpServer.builder()
                .handler(SlowClientTest::answer)
                .idleTimeout(Duration.ofMinutes(10)) // never idle: a byte a second keeps it busy
                .requestTimeout(Duration.ofSeconds(1)));
    int port = server.localAddress().getPort();
    String head = longHead("/slow");
    String before =
        switch (how) {
          case "alone" -> "";
          case "after a whole request" -> "GET /first HTTP/1.1\r\nHost: x\r\n\r\n";
          case "after a whole request and a request line" ->
              "GET /first HTTP/1.1\r\nHost: x\r\n\r\nGET /slow HTTP/1.1\r\n";
          default -> "GET /first HTTP/1.1\r\nHost: x\r\n\r\nGET /sl";
        };
    String rest =
        head.substring(
            before.contains("GET /sl") ? before.substring(before.indexOf("GET /sl")).length() : 0);
    Socket slowSocket = new Socket("127.0.0.1", port);
    try (RawHttp slow = new RawHttp(slowSocket)) {
      AtomicBoolean answered = new AtomicBoolean();
      if (!before.isEmpty()) {
        slow.send(before);
        assertThat(slow.read().body()).isEqualTo("/first");
      }
      CompletableFuture<Integer> sent = trickle(slowSocket, rest, answered);

      // Others are served while the slow head trickles.
      try (RawHttp other = new RawHttp(port)) {
        assertThat(other.send("GET /other HTTP/1.1\r\nHost: x\r\n\r\n").read().body())
            .isEqualTo("/other");
      }

      RawHttp.Response cut = slow.read();
      answered.set(true);
      assertThat(cut.status()).isEqualTo(408);
      assertThat(cut.header("connection")).isEqualTo("close");
      assertThat(cut.body()).contains("\"code\":\"DEADLINE_EXCEEDED\"");
      assertThat(slow.closedByServer()).isTrue();
      // Cut long before the head could have been whole: the deadline ran from its first byte.
      assertThat(sent.get(30, TimeUnit.SECONDS)).isLessThan(rest.length());

      try (RawHttp other = new RawHttp(port)) {
        assertThat(other.send("GET /after HTTP/1.1\r\nHost: x\r\n\r\n").read().body())
            .isEqualTo("/after");
      }
    }
  }

  @Test
  void clientThatNeverReadsItsAnswers_isDisconnected_holdsOneAnswerAtMost_andBlocksNoOne()
      throws Exception {
    HttpServer server =
        start(
            HttpServer.builder()
                .handler(SlowClientTest::answer)
                .writeTimeout(Duration.ofSeconds(1)));
    int port = server.localAddress().getPort();
    try (Socket greedy = new Socket()) {
      greedy.setReceiveBufferSize(4096); // before connecting, so the window stays small
      greedy.connect(new InetSocketAddress("127.0.0.1", port));
      StringBuilder pipelined = new StringBuilder();
      for (int i = 0; i < 50; i++) {
        pipelined.append("GET /big HTTP/1.1\r\nHost: x\r\n\r\n");
      }
      greedy.getOutputStream().write(pipelined.toString().getBytes(StandardCharsets.US_ASCII));
      greedy.getOutputStream().flush();
      // ...and never reads.

      // The first answer fills the socket and waits: at most that one answer is held.
      long answerBytes = BIG.length + 200;
      awaitUntil(() -> server.pendingWriteBytes() > 0, () -> "no answer waiting to be written");
      assertThat(server.connections()).isEqualTo(1);
      try (RawHttp other = new RawHttp(port)) {
        assertThat(other.send("GET /other HTTP/1.1\r\nHost: x\r\n\r\n").read().body())
            .isEqualTo("/other");
      }

      long[] most = {0};
      awaitUntil(
          () -> {
            most[0] = Math.max(most[0], server.pendingWriteBytes());
            return server.connections() == 0;
          },
          () ->
              server.connections()
                  + " connections still open; "
                  + server.pendingWriteBytes()
                  + " bytes pending");
      assertThat(most[0]).isLessThanOrEqualTo(answerBytes);
      assertThat(server.writesTimedOut()).isEqualTo(1);
      awaitUntil(
          () -> server.inFlight() == 0, () -> server.inFlight() + " requests still in flight");
      assertThat(server.pendingWriteBytes()).isZero();

      // The greedy client finds its connection closed once it reads: part of the first answer at
      // most.
      greedy.setSoTimeout(20_000);
      long read = 0;
      try {
        byte[] buf = new byte[64 * 1024];
        for (int n; (n = greedy.getInputStream().read(buf)) != -1; ) {
          read += n;
        }
      } catch (java.net.SocketException e) {
        // reset: closed as well
      }
      assertThat(read).isLessThan(answerBytes);
    }
    try (RawHttp other = new RawHttp(port)) {
      assertThat(other.send("GET /after HTTP/1.1\r\nHost: x\r\n\r\n").read().body())
          .isEqualTo("/after");
    }
  }

  @Test
  void clientThatReadsItsAnswers_getsThemAll_evenLargeOnes() throws Exception {
    HttpServer server =
        start(
            HttpServer.builder()
                .handler(SlowClientTest::answer)
                .writeTimeout(Duration.ofSeconds(1)));
    try (RawHttp reader = new RawHttp(server.localAddress().getPort())) {
      reader.send(
          "GET /big HTTP/1.1\r\nHost: x\r\n\r\nGET /big HTTP/1.1\r\nHost: x\r\n\r\nGET /end HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(reader.read().body()).hasSize(BIG.length);
      assertThat(reader.read().body()).hasSize(BIG.length);
      assertThat(reader.read().body()).isEqualTo("/end");
    }
    assertThat(server.writesTimedOut()).isZero();
  }

  @Test
  void maxConnectionsPerPeer_oneMoreFromThatAddressIs503AndClosed_otherAddressesAreServed()
      throws Exception {
    HttpServer server =
        start(HttpServer.builder().handler(SlowClientTest::answer).maxConnectionsPerPeer(2));
    int port = server.localAddress().getPort();
    InetAddress a = InetAddress.getByName("127.0.0.1");
    InetAddress b =
        InetAddress.getByName("127.0.0.2"); // another peer: Linux routes all of 127/8 to lo
    try (RawHttp first = from(a, port);
        RawHttp second = from(a, port)) {
      assertThat(first.send("GET /1 HTTP/1.1\r\nHost: x\r\n\r\n").read().body()).isEqualTo("/1");
      assertThat(second.send("GET /2 HTTP/1.1\r\nHost: x\r\n\r\n").read().body()).isEqualTo("/2");
      assertThat(server.connectionsOf(a)).isEqualTo(2);

      try (RawHttp third = from(a, port)) {
        RawHttp.Response refused = third.send("GET /3 HTTP/1.1\r\nHost: x\r\n\r\n").read();
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.header("connection")).isEqualTo("close");
        assertThat(refused.body())
            .contains("\"code\":\"UNAVAILABLE\"", "from your address (limit 2)");
        assertThat(third.closedByServer()).isTrue();
      }
      // Another address is served, and so are the first two connections.
      try (RawHttp elsewhere = from(b, port);
          RawHttp elsewhere2 = from(b, port)) {
        assertThat(elsewhere.send("GET /b HTTP/1.1\r\nHost: x\r\n\r\n").read().body())
            .isEqualTo("/b");
        assertThat(elsewhere2.send("GET /b2 HTTP/1.1\r\nHost: x\r\n\r\n").read().body())
            .isEqualTo("/b2");
      }
      assertThat(first.send("GET /1b HTTP/1.1\r\nHost: x\r\n\r\n").read().body()).isEqualTo("/1b");

      // A place given back is a place again.
      second.close();
      awaitUntil(
          () -> server.connectionsOf(a) == 1,
          () -> server.connectionsOf(a) + " connections of " + a);
      try (RawHttp again = from(a, port)) {
        assertThat(again.send("GET /again HTTP/1.1\r\nHost: x\r\n\r\n").read().body())
            .isEqualTo("/again");
      }
    }
    awaitUntil(
        () -> server.connectionsOf(a) == 0 && server.connectionsOf(b) == 0,
        () -> "peers still counted");
  }

  @Test
  void settings_refuseNonsense() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> HttpServer.builder().maxConnectionsPerPeer(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxConnectionsPerPeer: 0");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> HttpServer.builder().writeTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("writeTimeout");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> HttpServer.builder().responseHeader("bad name", "x"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static RawHttp from(InetAddress local, int port) throws IOException {
    Socket s = new Socket();
    s.bind(new InetSocketAddress(local, 0));
    s.connect(new InetSocketAddress("127.0.0.1", port));
    return new RawHttp(s);
  }

  /**
   * Spins up to 20 s until {@code condition} holds, then fails saying {@code state}: a hang guard
   * only.
   */
  private static void awaitUntil(
      java.util.function.BooleanSupplier condition, java.util.function.Supplier<String> state) {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("not within 20 s: " + state.get());
      }
      Thread.yield();
    }
  }
}
