package dev.ipc.socketio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.Transports;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The rules of the official Socket.IO protocol test suite ({@code socketio/socket.io-protocol}),
 * and the Engine.IO errors Node's engine.io answers, in this project's own words: raw HTTP requests
 * and WebSocket frames, each checked for its status and body, and each followed by a good client
 * that must still be served.
 */
@Timeout(60)
class SocketIoConformanceTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private final List<AutoCloseable> cleanup = new ArrayList<>();
  private final BlockingQueue<String> connected = new LinkedBlockingQueue<>();
  private final BlockingQueue<String> disconnected = new LinkedBlockingQueue<>();

  /** The servers' ping interval; a test that waits for pings shortens it before {@link #start}. */
  private java.time.Duration pingInterval = SocketIoTransport.DEFAULT_PING_INTERVAL;

  private int port;
  private Server server;

  @AfterEach
  void closeAll() throws Exception {
    for (int i = cleanup.size() - 1; i >= 0; i--) {
      cleanup.get(i).close();
    }
  }

  /** Starts a server shaped like the suite's reference server, plus a connect log for the tests. */
  private void start() {
    SocketIoTransport transport =
        SocketIoTransport.builder()
            .host("127.0.0.1")
            .port(0)
            .pingInterval(pingInterval)
            .onDisconnect(s -> disconnected.add(s.id()))
            .onConnect(
                s -> {
                  connected.add(s.namespace() + " " + s.auth());
                  s.send("auth", s.auth());
                })
            .onConnect(
                "/custom",
                s -> {
                  connected.add(s.namespace() + " " + s.auth());
                  s.send("auth", s.auth());
                })
            .on("/", "message", (s, args, ack) -> s.send("message-back", args.toArray()))
            .on("/", "message-with-ack", (s, args, ack) -> ack.send(args.toArray()))
            .on("/", "silent", (s, args, ack) -> {})
            .on(
                "/",
                "join",
                (s, args, ack) -> {
                  s.join((String) args.get(0));
                  ack.send(List.copyOf(s.rooms()));
                })
            .on(
                "/",
                "leave",
                (s, args, ack) -> {
                  s.leave((String) args.get(0));
                  ack.send(List.copyOf(s.rooms()));
                })
            .on(
                "/",
                "to-room",
                (s, args, ack) -> s.sendToRoom((String) args.get(0), "room", args.get(1)))
            .on("/", "to-others", (s, args, ack) -> s.broadcastToOthers("others", args.get(0)))
            .on("/", "to-all", (s, args, ack) -> s.broadcast("all", args.get(0)))
            .on(
                "/",
                "handshake",
                (s, args, ack) ->
                    ack.send(
                        Map.of(
                            "header", s.headers().getOrDefault("x-test", List.of()),
                            "query", s.query().getOrDefault("extra", List.of()),
                            "loopback", s.remoteAddress().getAddress().isLoopbackAddress())))
            .build();
    server = Transports.builder().services(Reference.services()).transport(transport).start();
    cleanup.add(server);
    port = server.port("socketio");
  }

  private String base() {
    return "http://127.0.0.1:" + port + "/socket.io/";
  }

  private HttpResponse<String> get(String query) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(base() + query)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String query, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(base() + query))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private String pollingSession() throws Exception {
    HttpResponse<String> open = get("?EIO=4&transport=polling");
    assertThat(open.statusCode()).isEqualTo(200);
    return open.body()
        .substring(open.body().indexOf("\"sid\":\"") + 7, open.body().indexOf("\",\""));
  }

  private static void assertError(HttpResponse<String> res, int code, String message) {
    assertThat(res.statusCode()).as(res.body()).isEqualTo(400);
    assertThat(res.body()).isEqualTo("{\"code\":" + code + ",\"message\":\"" + message + "\"}");
  }

  /**
   * A good client right after: a WebSocket session that connects to the main namespace and is
   * served.
   */
  private void assertGoodClientServed() throws Exception {
    Ws ws = ws("?EIO=4&transport=websocket");
    ws.send("40");
    assertThat(ws.next()).startsWith("40{\"sid\":");
    assertThat(ws.next()).isEqualTo("42[\"auth\",{}]");
    ws.send("421[\"message-with-ack\",\"ok\"]");
    assertThat(ws.next()).isEqualTo("431[\"ok\"]");
  }

  @Test
  void handshake_withoutEio4_is400Code5() throws Exception {
    start();
    assertError(get("?transport=polling"), 5, "Unsupported protocol version");
    assertError(get("?EIO=3&transport=polling"), 5, "Unsupported protocol version");
    assertError(get("?EIO=abc&transport=websocket"), 5, "Unsupported protocol version");
    assertGoodClientServed();
  }

  @Test
  void handshake_withUnknownTransport_is400Code0() throws Exception {
    start();
    assertError(get("?EIO=4"), 0, "Transport unknown");
    assertError(get("?EIO=4&transport=abc"), 0, "Transport unknown");
    assertGoodClientServed();
  }

  @Test
  void handshake_withAnotherMethodThanGet_is400Code2() throws Exception {
    start();
    assertError(post("?EIO=4&transport=polling", ""), 2, "Bad handshake method");
    HttpResponse<String> put =
        http.send(
            HttpRequest.newBuilder(URI.create(base() + "?EIO=4&transport=polling"))
                .PUT(HttpRequest.BodyPublishers.ofString(""))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertError(put, 2, "Bad handshake method");
    assertGoodClientServed();
  }

  @Test
  void handshake_carriesMaxPayload() throws Exception {
    start();
    HttpResponse<String> open = get("?EIO=4&transport=polling");
    assertThat(open.statusCode()).isEqualTo(200);
    assertThat(open.body())
        .startsWith("0{")
        .contains("\"upgrades\":[\"websocket\"]")
        .contains("\"maxPayload\":1000000");
    assertGoodClientServed();
  }

  @Test
  void unknownSid_onGetPostAndUpgrade_is400Code1AtOnce() throws Exception {
    start();
    String sid = "3f2a9c1e-0000-4000-8000-000000000000";
    assertError(get("?EIO=4&transport=polling&sid=" + sid), 1, "Session ID unknown");
    assertError(post("?EIO=4&transport=polling&sid=" + sid, "40"), 1, "Session ID unknown");
    assertError(get("?EIO=4&transport=polling&sid=not-a-uuid"), 1, "Session ID unknown");
    // A WebSocket upgrade naming no session is refused with the same 400, not left to time out.
    Throwable refused = null;
    try {
      ws("?EIO=4&transport=websocket&sid=" + sid);
    } catch (ExecutionException e) {
      refused = e.getCause();
    }
    assertThat(refused).isInstanceOf(WebSocketHandshakeException.class);
    assertThat(((WebSocketHandshakeException) refused).getResponse().statusCode()).isEqualTo(400);
    assertGoodClientServed();
  }

  @Test
  void secondPendingLongPoll_isRefusedAndTheSessionEnds() throws Exception {
    start();
    String sid = pollingSession();
    String poll = "?EIO=4&transport=polling&sid=" + sid;
    assertThat(post(poll, "40").statusCode()).isEqualTo(200);
    // The connect answer and the listener's event, in one poll or two.
    List<String> packets = new ArrayList<>();
    while (!packets.contains("42[\"auth\",{}]")) {
      HttpResponse<String> r = get(poll);
      assertThat(r.statusCode()).isEqualTo(200);
      packets.addAll(List.of(r.body().split("\u001e")));
    }
    assertThat(packets.get(0)).startsWith("40{\"sid\":");
    // No packet waits now, so whichever of two polls the server binds first stays pending, and the
    // other overlaps it: that one is refused, and the pending one gets the session's end.
    CompletableFuture<HttpResponse<String>> one =
        http.sendAsync(
            HttpRequest.newBuilder(URI.create(base() + poll)).build(),
            HttpResponse.BodyHandlers.ofString());
    CompletableFuture<HttpResponse<String>> two =
        http.sendAsync(
            HttpRequest.newBuilder(URI.create(base() + poll)).build(),
            HttpResponse.BodyHandlers.ofString());
    List<String> answers = new ArrayList<>();
    for (HttpResponse<String> r :
        List.of(one.get(10, TimeUnit.SECONDS), two.get(10, TimeUnit.SECONDS))) {
      answers.add(r.statusCode() + " " + r.body());
    }
    assertThat(answers)
        .containsExactlyInAnyOrder("400 {\"code\":3,\"message\":\"Bad request\"}", "200 41");
    assertError(get(poll), 1, "Session ID unknown");
    assertGoodClientServed();
  }

  @Test
  void pollAfterUpgrade_is400Code3_andSecondWebSocketIsClosed() throws Exception {
    start();
    String sid = pollingSession();
    Ws ws = ws("?EIO=4&transport=websocket&sid=" + sid);
    ws.send("2probe");
    assertThat(ws.next()).isEqualTo("3probe");
    ws.send("5");
    ws.send("40");
    assertThat(ws.next()).startsWith("40{\"sid\":"); // the upgrade is done once this comes over it
    assertError(get("?EIO=4&transport=polling&sid=" + sid), 3, "Bad request");
    Ws second = ws("?EIO=4&transport=websocket&sid=" + sid);
    assertThat(second.closed.get(10, TimeUnit.SECONDS)).isEqualTo(1000);
    assertGoodClientServed();
  }

  @Test
  void connectListener_runsOnlyAfterTheClientsConnect() throws Exception {
    start();
    Ws ws = ws("?EIO=4&transport=websocket");
    // Its Engine.IO session is open, yet it has not connected to any namespace: the listener waits.
    Ws other = ws("?EIO=4&transport=websocket");
    other.send("40");
    assertThat(other.next()).startsWith("40{\"sid\":");
    assertThat(connected.poll(10, TimeUnit.SECONDS)).isEqualTo("/ {}");
    assertThat(connected).isEmpty();
    ws.send("40{\"token\":\"123\"}");
    assertThat(ws.next()).startsWith("40{\"sid\":");
    assertThat(ws.next()).isEqualTo("42[\"auth\",{\"token\":\"123\"}]");
    assertThat(connected.poll(10, TimeUnit.SECONDS)).isEqualTo("/ {token=123}");
    assertGoodClientServed();
  }

  @Test
  void customNamespace_connects_andUnknownOneGetsTheReferenceErrorPacket() throws Exception {
    start();
    Ws ws = ws("?EIO=4&transport=websocket");
    ws.send("40/custom,{\"token\":\"abc\"}");
    assertThat(ws.next()).startsWith("40/custom,{\"sid\":");
    assertThat(ws.next()).isEqualTo("42/custom,[\"auth\",{\"token\":\"abc\"}]");
    ws.send("40/random");
    assertThat(ws.next()).isEqualTo("44/random,{\"message\":\"Invalid namespace\"}");
    assertGoodClientServed();
  }

  @Test
  void handshakeHeadersQueryAndAddress_areOnTheSession() throws Exception {
    start();
    CompletableFuture<Integer> closed = new CompletableFuture<>();
    Ws ws = new Ws(closed);
    ws.socket =
        http.newWebSocketBuilder()
            .header("X-Test", "yes")
            .buildAsync(
                URI.create(
                    "ws://127.0.0.1:" + port + "/socket.io/?EIO=4&transport=websocket&extra=1"),
                ws)
            .get(10, TimeUnit.SECONDS);
    cleanup.add(ws);
    assertThat(ws.next()).startsWith("0{");
    ws.send("40");
    assertThat(ws.next()).startsWith("40{");
    assertThat(ws.next()).isEqualTo("42[\"auth\",{}]");
    ws.send("427[\"handshake\"]");
    String ack = ws.next();
    assertThat(ack)
        .startsWith("437[{")
        .contains("\"header\":[\"yes\"]")
        .contains("\"query\":[\"1\"]")
        .contains("\"loopback\":true");
    assertGoodClientServed();
  }

  @Test
  void eventsAndAcks_carryEveryArgument() throws Exception {
    start();
    Ws ws = connectedWs();
    ws.send("42[\"message\",1,\"2\",{\"3\":[true]}]");
    assertThat(ws.next()).isEqualTo("42[\"message-back\",1,\"2\",{\"3\":[true]}]");
    ws.send("42456[\"message-with-ack\",1,\"2\",{\"3\":[false]}]");
    assertThat(ws.next()).isEqualTo("43456[1,\"2\",{\"3\":[false]}]");
    assertGoodClientServed();
  }

  @Test
  void binaryArguments_areBytesBothWays_evenStartingWith0x04() throws Exception {
    start();
    Ws ws = connectedWs();
    ws.send(
        "452-789[\"message-with-ack\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]");
    // 0x04 first: netty-socketio's v3 framing puts that byte before each attachment, and a fix
    // strips it.
    ws.sendBinary(new byte[] {4, 0, 1});
    ws.sendBinary(new byte[] {0, 2, 3});
    assertThat(ws.next())
        .isEqualTo("462-789[{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]");
    assertThat(ws.nextBinary()).containsExactly(4, 0, 1);
    assertThat(ws.nextBinary()).containsExactly(0, 2, 3);
    assertGoodClientServed();
  }

  @Test
  void ackAsked_isAlwaysSent_emptyWhenTheHandlerSendsNone() throws Exception {
    start();
    Ws ws = connectedWs();
    ws.send("425[\"silent\"]");
    assertThat(ws.next()).isEqualTo("435[]");
    ws.send("426[\"nobody-handles-this\"]");
    assertThat(ws.next()).startsWith("436[{\"error\":{\"code\":\"UNIMPLEMENTED\"");
    assertGoodClientServed();
  }

  @Test
  void rooms_joinLeaveAndEmitToRoomToOthersToAll() throws Exception {
    start();
    Ws a = connectedWs();
    Ws b = connectedWs();
    Ws c = connectedWs();
    a.send("421[\"join\",\"r\"]");
    assertThat(a.next()).isEqualTo("431[[\"r\"]]");
    b.send("421[\"join\",\"r\"]");
    assertThat(b.next()).isEqualTo("431[[\"r\"]]");
    // To a room, from outside it: both members; from a member: the other one only.
    c.send("42[\"to-room\",\"r\",1]");
    assertThat(a.next()).isEqualTo("42[\"room\",1]");
    assertThat(b.next()).isEqualTo("42[\"room\",1]");
    a.send("42[\"to-room\",\"r\",2]");
    assertThat(b.next()).isEqualTo("42[\"room\",2]");
    // To all but the sender, then to all: the sender's first message is the second one, so it never
    // got the first.
    a.send("42[\"to-others\",3]");
    assertThat(b.next()).isEqualTo("42[\"others\",3]");
    assertThat(c.next()).isEqualTo("42[\"others\",3]");
    a.send("42[\"to-all\",4]");
    assertThat(a.next()).isEqualTo("42[\"all\",4]");
    assertThat(b.next()).isEqualTo("42[\"all\",4]");
    assertThat(c.next()).isEqualTo("42[\"all\",4]");
    // After leaving, a is no longer reached through the room.
    a.send("422[\"leave\",\"r\"]");
    assertThat(a.next()).isEqualTo("432[[]]");
    c.send("42[\"to-room\",\"r\",5]");
    assertThat(b.next()).isEqualTo("42[\"room\",5]");
    c.send("42[\"to-all\",6]");
    assertThat(a.next())
        .as("a got nothing from the room after leaving it")
        .isEqualTo("42[\"all\",6]");
    assertGoodClientServed();
  }

  @Test
  void unknownPacketType_closesTheConnection() throws Exception {
    start();
    Ws ws = connectedWs();
    ws.send("4abc");
    assertThat(ws.closed.get(10, TimeUnit.SECONDS)).isNotNull();
    Ws early = ws("?EIO=4&transport=websocket");
    early.send("4abc");
    assertThat(early.closed.get(10, TimeUnit.SECONDS)).isNotNull();
    assertGoodClientServed();
  }

  @Test
  void engineIoClose_overWebSocket_endsWithCloseFrame1000() throws Exception {
    start();
    Ws ws = connectedWs();
    ws.send("1");
    assertThat(ws.closed.get(10, TimeUnit.SECONDS)).isEqualTo(1000);
    assertGoodClientServed();
  }

  @Test
  void serverClose_sendsDisconnectThenCloseFrame1000() throws Exception {
    start();
    Ws ws = connectedWs();
    server.close();
    assertThat(ws.next()).isEqualTo("41");
    assertThat(ws.closed.get(10, TimeUnit.SECONDS))
        .as("a Close frame, not a dropped connection (1006)")
        .isEqualTo(1000);
    assertThat(ws.received).as("nothing after the 41, no second one").isEmpty();
    // The server is gone: a new one on the same settings serves a good client.
    start();
    assertGoodClientServed();
  }

  @Test
  void engineIoClose_overPolling_answersThePendingPollWithNoop() throws Exception {
    start();
    String sid = pollingSession();
    String poll = "?EIO=4&transport=polling&sid=" + sid;
    CompletableFuture<HttpResponse<String>> pending =
        http.sendAsync(
            HttpRequest.newBuilder(URI.create(base() + poll)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(post(poll, "1").statusCode()).isEqualTo(200);
    // Bound before the close, the poll gets a noop, as from Node; arriving after it, the session's
    // end.
    // Either way it is answered rather than left to hang.
    HttpResponse<String> answered = pending.get(10, TimeUnit.SECONDS);
    assertThat(answered.statusCode() + " " + answered.body())
        .isIn("200 6", "400 {\"code\":1,\"message\":\"Session ID unknown\"}");
    assertError(get(poll), 1, "Session ID unknown");
    assertGoodClientServed();
  }

  @Test
  void disconnectFromTheMainNamespace_overWebSocket_keepsTheEngineIoSession() throws Exception {
    pingInterval = java.time.Duration.ofMillis(200);
    start();
    Ws ws = connectedWs();
    ws.send("41");
    assertThat(disconnected.poll(10, TimeUnit.SECONDS))
        .as("the host hears of the namespace's end")
        .isNotNull();
    // The Engine.IO session goes on: pings keep coming, answered, and the connection stays open.
    int pings = ws.pings.get();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (ws.pings.get() < pings + 3 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(ws.pings.get()).as("pings after the 41").isGreaterThanOrEqualTo(pings + 3);
    assertThat(ws.closed).isNotDone();
    // And the client may connect again on it.
    ws.send("40");
    assertThat(ws.next()).startsWith("40{\"sid\":");
    assertThat(ws.next()).isEqualTo("42[\"auth\",{}]");
    ws.send("421[\"message-with-ack\",\"again\"]");
    assertThat(ws.next()).isEqualTo("431[\"again\"]");
    assertGoodClientServed();
  }

  @Test
  void disconnectFromTheMainNamespace_overPolling_keepsTheEngineIoSession() throws Exception {
    pingInterval = java.time.Duration.ofMillis(200);
    start();
    String sid = pollingSession();
    String poll = "?EIO=4&transport=polling&sid=" + sid;
    assertThat(post(poll, "40").statusCode()).isEqualTo(200);
    List<String> packets = new ArrayList<>();
    while (!packets.contains("42[\"auth\",{}]")) {
      HttpResponse<String> r = get(poll);
      assertThat(r.statusCode()).isEqualTo(200);
      packets.addAll(List.of(r.body().split("\u001e")));
    }
    assertThat(post(poll, "41").statusCode()).isEqualTo(200);
    assertThat(disconnected.poll(10, TimeUnit.SECONDS)).isEqualTo(sid);
    // Still a session: its polls get pings, its pongs are taken, and it may connect again.
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> r = get(poll);
      assertThat(r.statusCode() + " " + r.body()).isEqualTo("200 2");
      assertThat(post(poll, "3").statusCode()).isEqualTo(200);
    }
    // Out of the namespace, its events are not handled (its polls did not bring it back in)...
    assertThat(post(poll, "421[\"message-with-ack\",\"ignored\"]").statusCode()).isEqualTo(200);
    assertThat(post(poll, "40").statusCode()).isEqualTo(200);
    packets.clear();
    while (!packets.contains("42[\"auth\",{}]")) {
      HttpResponse<String> r = get(poll);
      assertThat(r.statusCode()).isEqualTo(200);
      packets.addAll(List.of(r.body().split("\u001e")));
      packets.remove("2");
    }
    assertThat(packets.get(0)).startsWith("40{\"sid\":");
    // ...until it connects again: then they are. The event before it was dropped, not late.
    assertThat(post(poll, "422[\"message-with-ack\",\"after\"]").statusCode()).isEqualTo(200);
    while (!packets.contains("432[\"after\"]")) {
      HttpResponse<String> r = get(poll);
      assertThat(r.statusCode()).isEqualTo(200);
      packets.addAll(List.of(r.body().split("\u001e")));
    }
    assertThat(packets).noneMatch(p -> p.startsWith("431"));
    assertGoodClientServed();
  }

  @Test
  void serverClose_pollingClientGetsItsDisconnectOnItsNextPoll() throws Exception {
    start();
    String sid = pollingSession();
    String poll = "?EIO=4&transport=polling&sid=" + sid;
    assertThat(post(poll, "40").statusCode()).isEqualTo(200);
    List<String> packets = new ArrayList<>();
    while (!packets.contains("42[\"auth\",{}]")) {
      HttpResponse<String> r = get(poll);
      assertThat(r.statusCode()).isEqualTo(200);
      packets.addAll(List.of(r.body().split("\u001e")));
    }
    // No poll pending when the server ends the session: its 41 waits for the next one.
    CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
    assertThat(disconnected.poll(10, TimeUnit.SECONDS)).isEqualTo(sid);
    HttpResponse<String> last = get(poll);
    assertThat(last.statusCode() + " " + last.body()).isEqualTo("200 41");
    closing.get(10, TimeUnit.SECONDS);
    start();
    assertGoodClientServed();
  }

  @Test
  void eventsSentBeforeTheClientsConnect_doNotReachIt() throws Exception {
    start();
    Ws early = ws("?EIO=4&transport=websocket"); // an Engine.IO session, no 40 yet
    Ws a = connectedWs();
    // Emitted to the namespace, to all but the sender, and a published value: early is in none yet.
    a.send("42[\"to-all\",1]");
    assertThat(a.next()).isEqualTo("42[\"all\",1]");
    a.send("42[\"to-others\",2]");
    a.send("421[\"task:put\",{\"id\":77,\"name\":\"before\"}]");
    List<String> seen = new ArrayList<>(List.of(a.next(), a.next()));
    assertThat(seen)
        .anyMatch(m -> m.startsWith("431["))
        .anyMatch(m -> m.startsWith("42[\"task:saved\""));
    early.send("40");
    assertThat(early.next()).startsWith("40{\"sid\":");
    assertThat(early.next())
        .as("its first event comes after its connect")
        .isEqualTo("42[\"auth\",{}]");
    // From now on it is reached.
    a.send("42[\"to-others\",3]");
    assertThat(early.next()).isEqualTo("42[\"others\",3]");
  }

  private Ws connectedWs() throws Exception {
    Ws ws = ws("?EIO=4&transport=websocket");
    ws.send("40");
    assertThat(ws.next()).startsWith("40{\"sid\":");
    assertThat(ws.next()).isEqualTo("42[\"auth\",{}]");
    return ws;
  }

  /** Opens a WebSocket; for a new session, takes its open packet. */
  private Ws ws(String query) throws Exception {
    Ws ws = new Ws(new CompletableFuture<>());
    ws.socket =
        http.newWebSocketBuilder()
            .buildAsync(URI.create("ws://127.0.0.1:" + port + "/socket.io/" + query), ws)
            .get(10, TimeUnit.SECONDS);
    cleanup.add(ws);
    if (!query.contains("sid=")) {
      assertThat(ws.next()).startsWith("0{").contains("\"maxPayload\":1000000");
    }
    return ws;
  }

  /** A raw Engine.IO WebSocket: text and binary messages in order, pings answered. */
  private static final class Ws implements WebSocket.Listener, AutoCloseable {
    final CompletableFuture<Integer> closed;
    final BlockingQueue<Object> received = new LinkedBlockingQueue<>();
    final java.util.concurrent.atomic.AtomicInteger pings =
        new java.util.concurrent.atomic.AtomicInteger();
    WebSocket socket;
    private final StringBuilder text = new StringBuilder();
    private java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();

    Ws(CompletableFuture<Integer> closed) {
      this.closed = closed;
    }

    String next() throws InterruptedException {
      Object m = received.poll(10, TimeUnit.SECONDS);
      assertThat(m).as("a text message within 10 s").isInstanceOf(String.class);
      return (String) m;
    }

    byte[] nextBinary() throws InterruptedException {
      Object m = received.poll(10, TimeUnit.SECONDS);
      assertThat(m).as("a binary message within 10 s").isInstanceOf(byte[].class);
      return (byte[]) m;
    }

    void send(String s) {
      socket.sendText(s, true).join();
    }

    void sendBinary(byte[] b) {
      socket.sendBinary(ByteBuffer.wrap(b), true).join();
    }

    @Override
    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        String m = text.toString();
        text.setLength(0);
        if (m.equals("2")) {
          pings.incrementAndGet();
          w.sendText("3", true);
        } else if (!m.equals(
            "6")) { // a noop carries nothing (the polling queue's, moved here by an upgrade)
          received.add(m);
        }
      }
      w.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
      byte[] b = new byte[data.remaining()];
      data.get(b);
      bytes.writeBytes(b);
      if (last) {
        received.add(bytes.toByteArray());
        bytes = new java.io.ByteArrayOutputStream();
      }
      w.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket w, int status, String reason) {
      closed.complete(status);
      return null;
    }

    @Override
    public void onError(WebSocket w, Throwable error) {
      closed.complete(-1);
    }

    @Override
    public void close() {
      try {
        socket.abort();
      } catch (CompletionException e) {
        // gone already
      }
    }
  }
}
