package dev.ipc.socketio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipc.core.DatingService;
import dev.ipc.core.Eat;
import dev.ipc.core.ErrorCode;
import dev.ipc.core.Feel;
import dev.ipc.core.Movie;
import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.ServiceException;
import dev.ipc.core.Task;
import dev.ipc.core.TaskService;
import dev.ipc.core.TransportException;
import dev.ipc.core.Transports;
import dev.ipc.core.testing.HeldDating;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Server behaviour no client library shows: raw Engine.IO sessions, HTTP headers, limits. */
@Timeout(60)
class SocketIoServerTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private final List<AutoCloseable> cleanup = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = cleanup.size() - 1; i >= 0; i--) {
      cleanup.get(i).close();
    }
  }

  private Server start(SocketIoTransport transport, List<?> services) {
    Server server = Transports.builder().services(services).transport(transport).start();
    cleanup.add(server);
    return server;
  }

  private Server start(SocketIoTransport.Builder builder) {
    return start(builder.host("127.0.0.1").port(0).build(), Reference.services());
  }

  private SocketIoClient client(Server server) {
    SocketIoClient c =
        SocketIoClient.builder().target("127.0.0.1", server.port("socketio")).build();
    cleanup.add(c);
    return c;
  }

  private RawSocketIo raw(Server server) throws Exception {
    RawSocketIo r = RawSocketIo.connect(http, server.port("socketio"));
    cleanup.add(r);
    return r;
  }

  @Test
  void webSocketDroppedWithoutDisconnect_sessionIsCleanedUp() throws Exception {
    LinkedBlockingQueue<String> connected = new LinkedBlockingQueue<>();
    LinkedBlockingQueue<String> disconnected = new LinkedBlockingQueue<>();
    // With room for one client, handshakes show whether the server still counts the dropped one.
    Server server =
        start(
            SocketIoTransport.builder()
                .maxConnections(1)
                .onConnect(s -> connected.add(s.id()))
                .onDisconnect(s -> disconnected.add(s.id())));
    URI handshake =
        URI.create(
            "http://127.0.0.1:" + server.port("socketio") + "/socket.io/?EIO=4&transport=polling");
    RawSocketIo raw = raw(server);
    String sid = connected.poll(10, TimeUnit.SECONDS);
    assertThat(sid).isNotNull();
    assertThat(status(HttpRequest.newBuilder(handshake))).as("one client connected").isEqualTo(503);

    raw.abort();

    assertThat(disconnected.poll(10, TimeUnit.SECONDS))
        .as("the server saw the client go")
        .isEqualTo(sid);
    assertThat(client(server).service(DatingService.DESCRIPTOR).eating(new Eat("x")))
        .as("its place is free again")
        .isEqualTo(new Feel(true));
    assertThat(disconnected).isEmpty();
  }

  @Test
  void malformedPackets_closeOnlyThatConnection() throws Exception {
    Server server = start(SocketIoTransport.builder());
    // Node's server closes a connection whose packet does not parse, and so do we now; the others
    // go on.
    for (String bad : List.of("42not json", "42[", "42[5,{}]", "42{\"a\":1}", "4abc")) {
      RawSocketIo raw = raw(server);
      raw.send(bad);
      assertThat(raw.closed.get(10, TimeUnit.SECONDS)).as(bad).isNotNull();
    }
    RawSocketIo good = raw(server);
    good.send("42[\"no:ack\"]");
    good.send("421[\"dating:eating\",{\"food\":\"x\"}]");
    assertThat(good.next()).isEqualTo("431[{\"feeling\":true}]");
    assertThat(client(server).service(DatingService.DESCRIPTOR).eating(new Eat("steak")))
        .isEqualTo(new Feel(true));
  }

  @Test
  void unknownEventWithAck_isUnimplemented() throws Exception {
    Server server = start(SocketIoTransport.builder());
    RawSocketIo raw = raw(server);

    raw.send("427[\"no:such\",{}]");

    assertThat(raw.next())
        .isEqualTo(
            "437[{\"error\":{\"code\":\"UNIMPLEMENTED\",\"message\":\"unknown event: no:such\"}}]");
  }

  @Test
  void oversizedWebSocketMessage_dropsOnlyThatClient() throws Exception {
    Server server = start(SocketIoTransport.builder().maxMessageBytes(4096));
    RawSocketIo big = raw(server);
    SocketIoClient other = client(server);

    big.send("42[\"dating:eating\",{\"food\":\"" + "x".repeat(10_000) + "\"}]");

    assertThat(big.closed.get(10, TimeUnit.SECONDS)).isNotZero();
    assertThat(other.service(DatingService.DESCRIPTOR).eating(new Eat("soup")))
        .isEqualTo(new Feel(true));
  }

  @Test
  void oversizedPollingBody_is413() throws Exception {
    Server server = start(SocketIoTransport.builder().maxMessageBytes(4096));
    String base =
        "http://127.0.0.1:" + server.port("socketio") + "/socket.io/?EIO=4&transport=polling";
    String open =
        http.send(
                HttpRequest.newBuilder(URI.create(base)).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    String sid =
        open.substring(
            open.indexOf("\"sid\":\"") + 7, open.indexOf('"', open.indexOf("\"sid\":\"") + 7));

    HttpResponse<String> res =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "&sid=" + sid))
                .POST(
                    HttpRequest.BodyPublishers.ofString("42[\"x\",\"" + "y".repeat(10_000) + "\"]"))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(res.statusCode()).isEqualTo(413);
    assertThat(client(server).service(DatingService.DESCRIPTOR).eating(new Eat("soup")))
        .isEqualTo(new Feel(true));
  }

  @Test
  void clientVanishesMidCall_serverKeepsServing() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch finished = new CountDownLatch(1);
    DatingService slow =
        new DatingService() {
          @Override
          public Feel eating(Eat eat) {
            entered.countDown();
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            finished.countDown();
            return new Feel(true);
          }

          @Override
          public Feel watchMovie(Movie movie) {
            return new Feel(true);
          }
        };
    Server server =
        start(SocketIoTransport.builder().host("127.0.0.1").port(0).build(), List.of(slow));
    RawSocketIo raw = raw(server);
    raw.send("421[\"dating:eating\",{\"food\":\"slow\"}]");
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

    raw.abort();
    release.countDown();

    assertThat(finished.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(client(server).service(DatingService.DESCRIPTOR).watchMovie(new Movie("after")))
        .isEqualTo(new Feel(true));
  }

  @Test
  void serviceAndHandlerCode_runOffNettyThreads() throws Exception {
    LinkedBlockingQueue<String> threads = new LinkedBlockingQueue<>();
    DatingService recording =
        new DatingService() {
          @Override
          public Feel eating(Eat eat) {
            threads.add(Thread.currentThread().getName());
            return new Feel(true);
          }

          @Override
          public Feel watchMovie(Movie movie) {
            return new Feel(true);
          }
        };
    SocketIoTransport transport =
        SocketIoTransport.builder()
            .host("127.0.0.1")
            .port(0)
            .on("where", (session, data, ack) -> ack.send(Thread.currentThread().getName()))
            .build();
    Server server = start(transport, List.of(recording));
    RawSocketIo raw = raw(server);

    client(server).service(DatingService.DESCRIPTOR).eating(new Eat("x"));
    raw.send("421[\"where\"]");

    assertThat(threads.poll(10, TimeUnit.SECONDS)).startsWith("ipc-call-");
    assertThat(raw.next()).startsWith("431[\"ipc-call-");
  }

  @Test
  void saturatedExecutor_isResourceExhausted() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    DatingService blocking = HeldDating.of(entered, release);
    ExecutorService one =
        new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new SynchronousQueue<>());
    Server server =
        Transports.builder()
            .services(List.of(blocking))
            .transport(SocketIoTransport.builder().host("127.0.0.1").port(0).build())
            .executor(one)
            .start();
    cleanup.add(server);
    cleanup.add(release::countDown);
    RawSocketIo raw = raw(server);
    raw.send("421[\"dating:eating\",{\"food\":\"a\"}]");
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

    raw.send("422[\"dating:watchMovie\",{\"film\":\"b\"}]");

    assertThat(raw.next()).contains("432[{\"error\":{\"code\":\"RESOURCE_EXHAUSTED\"");
    release.countDown();
    assertThat(raw.next()).isEqualTo("431[{\"feeling\":true}]");
  }

  @Test
  void oneClientFlooding_isRefusedBeyondItsCallsInFlight_whileOthersAreServed() throws Exception {
    CountDownLatch entered = new CountDownLatch(5);
    CountDownLatch release = new CountDownLatch(1);
    // 8 threads and 20 queue slots: without a cap per client, the flood alone would take them all.
    ThreadPoolExecutor executor =
        new ThreadPoolExecutor(
            8, 8, 0, TimeUnit.SECONDS, new java.util.concurrent.ArrayBlockingQueue<>(20));
    cleanup.add(executor::shutdownNow);
    Server server =
        Transports.builder()
            .services(List.of(HeldDating.of(entered, release)))
            .transport(
                SocketIoTransport.builder().host("127.0.0.1").port(0).maxCallsPerClient(5).build())
            .executor(executor)
            .start();
    cleanup.add(server);
    cleanup.add(release::countDown);
    RawSocketIo flood = raw(server);

    for (int id = 1; id <= 40; id++) {
      flood.send("42" + id + "[\"dating:eating\",{\"food\":\"f" + id + "\"}]");
    }
    assertThat(entered.await(10, TimeUnit.SECONDS)).as("five calls run").isTrue();
    for (int id = 6; id <= 40; id++) {
      assertThat(flood.next())
          .startsWith("43" + id + "[{\"error\":{\"code\":\"RESOURCE_EXHAUSTED\"")
          .contains("more than 5 calls of this client in flight");
    }
    assertThat(
            client(server).service(DatingService.DESCRIPTOR).watchMovie(new Movie("other client")))
        .as("another client is served meanwhile")
        .isEqualTo(new Feel(true));

    release.countDown();
    List<String> answered = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      answered.add(flood.next());
    }
    assertThat(answered)
        .as("the accepted calls are all answered")
        .containsExactlyInAnyOrder(
            "431[{\"feeling\":true}]",
            "432[{\"feeling\":true}]",
            "433[{\"feeling\":true}]",
            "434[{\"feeling\":true}]",
            "435[{\"feeling\":true}]");
    flood.send("4241[\"dating:eating\",{\"food\":\"again\"}]");
    assertThat(flood.next())
        .as("answered calls no longer count")
        .isEqualTo("4341[{\"feeling\":true}]");
  }

  @Test
  void pollingResponses_sayConnectionClose() throws Exception {
    Server server = start(SocketIoTransport.builder());

    String head =
        rawHead(
            server.port("socketio"),
            "GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n\r\n");

    assertThat(head).startsWith("http/1.1 200").contains("\r\nconnection: close\r\n");
  }

  @Test
  void compression_offByDefault() throws Exception {
    Server server = start(SocketIoTransport.builder());

    assertThat(upgradeHead(server.port("socketio")))
        .startsWith("http/1.1 101")
        .doesNotContain("permessage-deflate");
  }

  @Test
  void compression_onWhenEnabled() throws Exception {
    Server server = start(SocketIoTransport.builder().compression(true));

    assertThat(upgradeHead(server.port("socketio")))
        .startsWith("http/1.1 101")
        .contains("permessage-deflate");
  }

  @Test
  void cors_default_refusesEveryBrowserOriginOnPollingPostAndUpgrade() throws Exception {
    Server server = start(SocketIoTransport.builder());
    int port = server.port("socketio");
    String sid = sid(raw(port, pollingGet(null, null)));

    String handshake = raw(port, pollingGet("https://evil.example", null));
    String poll = raw(port, pollingGet("https://evil.example", sid));
    String post = raw(port, pollingPost("https://evil.example", sid, "40"));
    String upgrade = raw(port, upgrade("https://evil.example", null));
    String otherPort =
        raw(port, pollingGet("http://127.0.0.1:" + (port == 65535 ? 1 : port + 1), null));

    for (String refused : List.of(handshake, poll, post, upgrade, otherPort)) {
      assertThat(refused)
          .startsWith("http/1.1 403")
          .contains("{\"code\":4,\"message\":\"origin not allowed\"}");
      assertThat(refused)
          .doesNotContain("access-control-allow-origin")
          .doesNotContain("access-control-allow-credentials");
    }
    // Nothing reached the session: the foreign POST's connect was never read, the session is still
    // open.
    assertThat(raw(port, pollingPost(null, sid, "40"))).startsWith("http/1.1 200");
    // Non-browser clients (no Origin) are served, before and after the refusals.
    assertThat(raw(port, pollingGet(null, null)))
        .startsWith("http/1.1 200")
        .doesNotContain("access-control-allow-credentials");
    assertThat(raw(port, upgrade(null, null))).startsWith("http/1.1 101");
    // Same-origin (the Origin names the Host asked for), as Python's websocket-client sends it: not
    // cross-origin.
    assertThat(
            raw(
                port,
                upgrade("http://127.0.0.1:" + port, null)
                    .replace("Host: 127.0.0.1", "Host: 127.0.0.1:" + port)))
        .startsWith("http/1.1 101");
    assertThat(client(server).service(DatingService.DESCRIPTOR).eating(new Eat("soup")))
        .isEqualTo(new Feel(true));
  }

  @Test
  void cors_allowListedOrigin_isServedWithItsCorsHeaders_othersRefused() throws Exception {
    Server server =
        start(SocketIoTransport.builder().cors("https://good.example", "HTTPS://Other.Example"));
    int port = server.port("socketio");

    String good = raw(port, pollingGet("https://good.example", null));
    assertThat(good)
        .startsWith("http/1.1 200")
        .contains("access-control-allow-origin: https://good.example\r\n")
        .contains("access-control-allow-credentials: true\r\n");
    String sid = sid(good);
    assertThat(raw(port, pollingPost("https://good.example", sid, "40")))
        .startsWith("http/1.1 200")
        .contains("access-control-allow-origin: https://good.example\r\n");
    assertThat(raw(port, pollingGet("https://other.example", null)))
        .startsWith("http/1.1 200")
        .contains("access-control-allow-origin: https://other.example\r\n");
    assertThat(raw(port, upgrade("https://good.example", null))).startsWith("http/1.1 101");

    String evil = raw(port, pollingGet("https://evil.example", null));
    assertThat(evil).startsWith("http/1.1 403").doesNotContain("access-control-allow");
    assertThat(raw(port, pollingGet("https://good.example.evil.example", null)))
        .startsWith("http/1.1 403");
    assertThat(raw(port, pollingGet("null", null))).startsWith("http/1.1 403");
    assertThat(raw(port, pollingPost("https://evil.example", sid, "40")))
        .startsWith("http/1.1 403");
    assertThat(raw(port, upgrade("https://evil.example", null))).startsWith("http/1.1 403");
    assertThat(raw(port, pollingGet(null, null))).startsWith("http/1.1 200");
    assertThat(client(server).service(DatingService.DESCRIPTOR).eating(new Eat("soup")))
        .isEqualTo(new Feel(true));
  }

  @Test
  void cors_wildcard_letsEveryOriginInWithoutCredentials() throws Exception {
    Server server = start(SocketIoTransport.builder().cors("*"));
    int port = server.port("socketio");

    String any = raw(port, pollingGet("https://evil.example", null));
    assertThat(any)
        .startsWith("http/1.1 200")
        .contains("access-control-allow-origin: *\r\n")
        .doesNotContain("access-control-allow-credentials")
        .doesNotContain("evil.example");
    assertThat(raw(port, pollingPost("https://evil.example", sid(any), "40")))
        .startsWith("http/1.1 200")
        .doesNotContain("access-control-allow-credentials");
    assertThat(raw(port, upgrade("https://evil.example", null))).startsWith("http/1.1 101");
  }

  @Test
  void cors_rejectsMalformedOrigins() {
    assertThatThrownBy(() -> SocketIoTransport.builder().cors("https://a.example/"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SocketIoTransport.builder().cors("a.example"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static String pollingGet(String origin, String sid) {
    return "GET /socket.io/?EIO=4&transport=polling"
        + (sid == null ? "" : "&sid=" + sid)
        + " HTTP/1.1\r\n"
        + "Host: 127.0.0.1\r\n"
        + (origin == null ? "" : "Origin: " + origin + "\r\n")
        + "\r\n";
  }

  private static String pollingPost(String origin, String sid, String body) {
    return "POST /socket.io/?EIO=4&transport=polling&sid="
        + sid
        + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + (origin == null ? "" : "Origin: " + origin + "\r\n")
        + "Content-Type: text/plain;charset=UTF-8\r\nContent-Length: "
        + body.length()
        + "\r\n\r\n"
        + body;
  }

  private static String upgrade(String origin, String sid) {
    return "GET /socket.io/?EIO=4&transport=websocket"
        + (sid == null ? "" : "&sid=" + sid)
        + " HTTP/1.1\r\n"
        + "Host: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        + (origin == null ? "" : "Origin: " + origin + "\r\n")
        + "\r\n";
  }

  /** The session id in a polling handshake's answer. */
  private static String sid(String response) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("\"sid\":\"([^\"]+)\"").matcher(response);
    assertThat(m.find()).as("a handshake answer: %s", response).isTrue();
    return m.group(1);
  }

  /**
   * Sends a raw HTTP request and returns the response, head and body, lower case (a body ending
   * with its Content-Length; a 101's head only).
   */
  private static String raw(int port, String request) throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      while (!all.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          return all.toString(StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
        }
        all.write(b);
      }
      String head = all.toString(StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT);
      java.util.regex.Matcher length =
          java.util.regex.Pattern.compile("content-length: *(\\d+)").matcher(head);
      if (head.startsWith("http/1.1 101") || !length.find()) {
        return head;
      }
      all.write(in.readNBytes(Integer.parseInt(length.group(1))));
      return all.toString(StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
    }
  }

  @Test
  void maxConnections_refusesFurtherHandshakes() throws Exception {
    Server server = start(SocketIoTransport.builder().maxConnections(1));
    SocketIoClient first = client(server);
    assertThat(first.service(DatingService.DESCRIPTOR).eating(new Eat("soup")))
        .isEqualTo(new Feel(true));
    URI handshake =
        URI.create(
            "http://127.0.0.1:" + server.port("socketio") + "/socket.io/?EIO=4&transport=polling");

    assertThat(status(HttpRequest.newBuilder(handshake))).isEqualTo(503);
  }

  @Test
  void maxConnections_countsHandshakesThatNeverConnect() throws Exception {
    Server server = start(SocketIoTransport.builder().maxConnections(2));
    URI handshake =
        URI.create(
            "http://127.0.0.1:" + server.port("socketio") + "/socket.io/?EIO=4&transport=polling");

    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      statuses.add(status(HttpRequest.newBuilder(handshake)));
    }

    assertThat(statuses).containsExactly(200, 200, 503, 503);
  }

  @Test
  void taskPut_isBroadcastToEveryClient() throws Exception {
    Server server = start(SocketIoTransport.builder());
    SocketIoClient writer = client(server);
    SocketIoClient listener = client(server);
    LinkedBlockingQueue<Object> heard = new LinkedBlockingQueue<>();
    listener.onEvent("task:saved", heard::add);
    // Subscribed on the server only once connected: a first call proves it.
    listener.service(DatingService.DESCRIPTOR).eating(new Eat("x"));

    writer.service(TaskService.DESCRIPTOR).put(new Task(9, "task9"));

    assertThat(heard.poll(10, TimeUnit.SECONDS)).isEqualTo(Map.of("id", 9, "name", "task9"));
  }

  @Test
  void client_failingEventListener_spoilsNothingElse() throws Exception {
    Server server = start(SocketIoTransport.builder());
    SocketIoClient writer = client(server);
    SocketIoClient listener = client(server);
    LinkedBlockingQueue<Object> heard = new LinkedBlockingQueue<>();
    listener.onEvent(
        "task:saved",
        task -> {
          throw new IllegalStateException("a listener bug");
        });
    listener.onEvent("task:saved", heard::add);
    listener.service(DatingService.DESCRIPTOR).eating(new Eat("x"));

    writer.service(TaskService.DESCRIPTOR).put(new Task(10, "task10"));
    writer.service(TaskService.DESCRIPTOR).put(new Task(11, "task11"));

    assertThat(heard.poll(10, TimeUnit.SECONDS)).isEqualTo(Map.of("id", 10, "name", "task10"));
    assertThat(heard.poll(10, TimeUnit.SECONDS)).isEqualTo(Map.of("id", 11, "name", "task11"));
    assertThat(listener.service(TaskService.DESCRIPTOR).get(10)).isEqualTo(new Task(10, "task10"));
  }

  @Test
  void webSocketClientThatNeverReads_isDroppedInsteadOfBuffered() throws Exception {
    LinkedBlockingQueue<SocketIoSession> connected = new LinkedBlockingQueue<>();
    CountDownLatch disconnected = new CountDownLatch(1);
    Server server =
        start(
            SocketIoTransport.builder()
                .onConnect(connected::add)
                .onDisconnect(s -> disconnected.countDown()));
    Socket stuck = new Socket();
    cleanup.add(stuck);
    stuck.setReceiveBufferSize(4096);
    stuck.connect(new java.net.InetSocketAddress("127.0.0.1", server.port("socketio")));
    OutputStream out = stuck.getOutputStream();
    out.write(
        ("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    InputStream in = stuck.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      head.write(in.read());
    }
    assertThat(head.toString(StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 101");
    // A masked text frame "40" (mask 0): connect to the main namespace, then never read again.
    out.write(new byte[] {(byte) 0x81, (byte) 0x82, 0, 0, 0, 0, '4', '0'});
    out.flush();
    SocketIoSession session = connected.poll(10, TimeUnit.SECONDS);
    assertThat(session).isNotNull();
    String big = "x".repeat(100_000);

    // 100 MB at most, far beyond any socket buffer: the server must not keep it all for this
    // client.
    for (int i = 0; i < 1000 && disconnected.getCount() > 0; i++) {
      session.send("blast", big);
    }

    assertThat(disconnected.await(10, TimeUnit.SECONDS))
        .as("the server dropped the stuck client")
        .isTrue();
    assertThat(client(server).service(DatingService.DESCRIPTOR).eating(new Eat("x")))
        .isEqualTo(new Feel(true));
  }

  @Test
  void pollingClientThatStopsPolling_isDroppedInsteadOfQueuedFor() throws Exception {
    LinkedBlockingQueue<SocketIoSession> connected = new LinkedBlockingQueue<>();
    LinkedBlockingQueue<String> disconnected = new LinkedBlockingQueue<>();
    Server server =
        start(
            SocketIoTransport.builder()
                .maxPayload(4096)
                .onConnect(connected::add)
                .onDisconnect(s -> disconnected.add(s.id())));
    SocketIoClient other = client(server);
    assertThat(other.service(DatingService.DESCRIPTOR).eating(new Eat("x")))
        .isEqualTo(new Feel(true));
    SocketIoSession first = connected.poll(10, TimeUnit.SECONDS);
    assertThat(first).isNotNull();
    String base =
        "http://127.0.0.1:" + server.port("socketio") + "/socket.io/?EIO=4&transport=polling";
    String open =
        http.send(
                HttpRequest.newBuilder(URI.create(base)).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    String sid =
        open.substring(
            open.indexOf("\"sid\":\"") + 7, open.indexOf('"', open.indexOf("\"sid\":\"") + 7));
    URI session = URI.create(base + "&sid=" + sid);
    HttpResponse<String> connect =
        http.send(
            HttpRequest.newBuilder(session).POST(HttpRequest.BodyPublishers.ofString("40")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(connect.statusCode()).isEqualTo(200);
    SocketIoSession stuck = connected.poll(10, TimeUnit.SECONDS);
    assertThat(stuck).isNotNull();
    assertThat(stuck.id()).isEqualTo(sid);

    // It never polls again: every broadcast would wait for it. The limit for any maxPayload up to
    // 4 MiB is 16,384 packets; twice that may go out before the test gives up.
    int ticks = 0;
    for (; ticks < 32_768 && !disconnected.contains(sid); ticks++) {
      stuck.broadcast("tick", ticks);
    }

    assertThat(disconnected.poll(10, TimeUnit.SECONDS))
        .as("the server dropped the stalled poller")
        .isEqualTo(sid);
    // The tick that overflowed its queue (and any broadcast meant for it while it went) was
    // dropped;
    // each tick reached the other client, and the stalled one took its bound's worth, less the few
    // packets queued before the ticks (the answer to its CONNECT).
    assertThat(server.stats().eventsDropped().get("socketio")).isPositive();
    assertThat(server.stats().eventsDelivered().get("socketio"))
        .isGreaterThanOrEqualTo(ticks + DefaultSocketIoServer.maxPollingBacklog(4096) - 8L);
    assertThat(status(HttpRequest.newBuilder(session))).as("its session is gone").isNotEqualTo(200);
    assertThat(other.service(DatingService.DESCRIPTOR).eating(new Eat("y")))
        .isEqualTo(new Feel(true));
    assertThat(disconnected).as("the other client stayed").isEmpty();
  }

  @Test
  void hostHandlerFailure_isAnsweredLikeAServiceError() throws Exception {
    SocketIoTransport.Builder b =
        SocketIoTransport.builder()
            .on(
                "refuse",
                (s, d, ack) -> {
                  throw new ServiceException(ErrorCode.PERMISSION_DENIED, "not you");
                })
            .on(
                "crash",
                (s, d, ack) -> {
                  throw new IllegalStateException("secret");
                });
    Server server = start(b);
    RawSocketIo raw = raw(server);

    raw.send("421[\"refuse\"]");
    assertThat(raw.next())
        .isEqualTo("431[{\"error\":{\"code\":\"PERMISSION_DENIED\",\"message\":\"not you\"}}]");
    raw.send("422[\"crash\"]");
    assertThat(raw.next())
        .isEqualTo("432[{\"error\":{\"code\":\"INTERNAL\",\"message\":\"internal error\"}}]");
  }

  @Test
  void handlerForServiceEvent_failsAtStart() {
    SocketIoTransport transport =
        SocketIoTransport.builder()
            .host("127.0.0.1")
            .port(0)
            .on("task:put", (s, d, a) -> {})
            .build();

    assertThatThrownBy(() -> start(transport, Reference.services()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("task:put");
  }

  @Test
  void reservedEventName_isRefused() {
    assertThatThrownBy(() -> SocketIoTransport.builder().on("disconnect", (s, d, a) -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("disconnect");
  }

  @Test
  void client_refusedConnection_isTransportException() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    SocketIoClient c =
        SocketIoClient.builder().target("127.0.0.1", port).timeout(Duration.ofSeconds(2)).build();
    cleanup.add(c);

    assertThatThrownBy(() -> c.service(DatingService.DESCRIPTOR).eating(new Eat("x")))
        .isInstanceOf(TransportException.class);
  }

  @Test
  void provider_buildsTransportAndClientFromUris() throws Exception {
    Server server =
        Transports.builder()
            .services(Reference.services())
            .transport(
                "socketio://127.0.0.1:0?maxPayload=64KiB&pingInterval=10s&pingTimeout=5s&maxConnections=5&maxCallsPerClient=10&compression=false&cors=https://a.example&workerThreads=3")
            .start();
    cleanup.add(server);
    dev.ipc.core.Client client =
        Transports.connect(
            "socketio://127.0.0.1:"
                + server.port("socketio")
                + "?timeout=5s&transports=polling,websocket");
    cleanup.add(client);

    assertThat(client).isInstanceOf(SocketIoClient.class);
    assertThat(client.service(TaskService.DESCRIPTOR).get(1)).isEqualTo(new Task(1, "task1"));
    assertThatThrownBy(() -> Transports.transport("socketio://127.0.0.1:0?nope=1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nope");
    assertThatThrownBy(() -> Transports.transport("socketio://127.0.0.1:0?workerThreads=0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("workerThreads");
    assertThatThrownBy(() -> Transports.transport("socketio://127.0.0.1:0?maxCallsPerClient=0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxCallsPerClient");
  }

  private int status(HttpRequest.Builder request) throws Exception {
    return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private static String upgradeHead(int port) throws Exception {
    return rawHead(
        port,
        "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n");
  }

  /** Sends a raw HTTP request and returns the response head, lower case. */
  private static String rawHead(int port, String request) throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          break;
        }
        head.write(b);
      }
      return head.toString(StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT);
    }
  }
}
