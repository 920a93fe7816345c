package dev.ipc.graphql;

import static dev.ipc.graphql.GraphqlNodeClientTest.awaitOpenStreams;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.Task;
import dev.ipc.core.TaskService;
import dev.ipc.core.Transports;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * GraphQL over WebSocket ({@code graphql-transport-ws}) message by message, with the JDK's
 * WebSocket client against a real server: the handshake, ping/pong, subscribe/next/complete,
 * queries and mutations over the socket, the close codes for protocol errors, credentials from
 * {@code connection_init}, a subscriber that never reads ended while another gets everything,
 * cancelling, and a server close.
 */
@Timeout(120)
class GraphqlWebSocketTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String WATCH = "subscription { taskSaved { id name } }";

  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private Server serve(
      UnaryOperator<Transports.Builder> core, UnaryOperator<GraphqlTransport.Builder> graphql) {
    Server server =
        core.apply(Transports.builder().services(Reference.services()))
            .transport(graphql.apply(GraphqlTransport.builder().host("127.0.0.1").port(0)).build())
            .start();
    open.add(server::close);
    return server;
  }

  private Server serve() {
    return serve(b -> b, b -> b);
  }

  /** One WebSocket: what arrived, in order, and how it closed. */
  static final class Ws implements WebSocket.Listener {
    final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    final StringBuilder text = new StringBuilder();
    volatile String reason;
    WebSocket socket;

    static Ws open(Server server, String... subprotocols) throws Exception {
      Ws ws = new Ws();
      WebSocket.Builder b = HttpClient.newHttpClient().newWebSocketBuilder();
      if (subprotocols.length > 0) {
        b.subprotocols(
            subprotocols[0], java.util.Arrays.copyOfRange(subprotocols, 1, subprotocols.length));
      }
      ws.socket =
          b.buildAsync(URI.create("ws://127.0.0.1:" + server.port("graphql") + "/graphql"), ws)
              .get(20, TimeUnit.SECONDS);
      return ws;
    }

    static Ws open(Server server) throws Exception {
      return open(server, GraphqlWsSession.SUBPROTOCOL);
    }

    Ws send(String message) throws Exception {
      socket.sendText(message, true).get(20, TimeUnit.SECONDS);
      return this;
    }

    /** Sends connection_init (with {@code payload} unless null) and expects connection_ack. */
    Ws init(String payload) throws Exception {
      send(
          "{\"type\":\"connection_init\""
              + (payload == null ? "" : ",\"payload\":" + payload)
              + "}");
      assertThat(next().get("type").asText()).isEqualTo("connection_ack");
      return this;
    }

    Ws subscribe(String id, String query) throws Exception {
      return send(
          JSON.writeValueAsString(
              java.util.Map.of(
                  "id", id, "type", "subscribe", "payload", java.util.Map.of("query", query))));
    }

    JsonNode next() throws InterruptedException {
      JsonNode m = messages.poll(20, TimeUnit.SECONDS);
      assertThat(m).as("a message (closed: %s %s)", closed.getNow(null), reason).isNotNull();
      return m;
    }

    int closeCode() throws Exception {
      return closed.get(20, TimeUnit.SECONDS);
    }

    @Override
    public void onOpen(WebSocket webSocket) {
      webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        try {
          messages.add(JSON.readTree(text.toString()));
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        text.setLength(0);
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String why) {
      reason = why;
      closed.complete(statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closed.completeExceptionally(error);
    }
  }

  private static void put(Server server, long id, String name) {
    try (GraphqlClient client = GraphqlClient.of("127.0.0.1", server.port("graphql"))) {
      client.withBearerToken("w-token").service(TaskService.DESCRIPTOR).put(new Task(id, name));
    }
  }

  @Test
  void subscribe_receivesSavesAsNext_andCompleteFromTheClientEndsTheStream() throws Exception {
    Server server = serve();
    Ws ws = Ws.open(server).init(null);
    assertThat(ws.socket.getSubprotocol()).isEqualTo("graphql-transport-ws");
    ws.send("{\"type\":\"ping\",\"payload\":{\"n\":1}}");
    assertThat(ws.next()).isEqualTo(JSON.readTree("{\"type\":\"pong\",\"payload\":{\"n\":1}}"));
    ws.send(
        "{\"id\":\"w\",\"type\":\"subscribe\",\"payload\":{\"query\":"
            + "\"subscription($to: Long) { taskSaved(toId: $to) { id name } }\",\"variables\":{\"to\":2}}}");
    awaitOpenStreams(server, 1);
    put(server, 1, "one");
    put(server, 3, "three");
    put(server, 2, "two");
    assertThat(ws.next())
        .isEqualTo(
            JSON.readTree(
                "{\"id\":\"w\",\"type\":\"next\",\"payload\":{\"data\":{\"taskSaved\":{\"id\":1,\"name\":\"one\"}}}}"));
    assertThat(ws.next().at("/payload/data/taskSaved/id").asLong()).isEqualTo(2);

    ws.send("{\"id\":\"w\",\"type\":\"complete\"}");
    awaitOpenStreams(server, 0);
    // The socket stays usable: a query gets one result, then complete.
    ws.subscribe("q", "{ task(id: 1) { name } }");
    assertThat(ws.next())
        .isEqualTo(
            JSON.readTree(
                "{\"id\":\"q\",\"type\":\"next\",\"payload\":{\"data\":{\"task\":{\"name\":\"one\"}}}}"));
    assertThat(ws.next()).isEqualTo(JSON.readTree("{\"id\":\"q\",\"type\":\"complete\"}"));
  }

  @Test
  void closingTheSocket_endsItsStreams() throws Exception {
    Server server = serve();
    Ws ws = Ws.open(server).init(null);
    ws.subscribe("a", WATCH).subscribe("b", WATCH);
    awaitOpenStreams(server, 2);
    ws.socket.sendClose(1000, "bye").get(20, TimeUnit.SECONDS);
    awaitOpenStreams(server, 0);
  }

  @Test
  void protocolErrors_closeWithTheProtocolsCodes() throws Exception {
    Server server = serve(b -> b, b -> b.connectionInitTimeout(Duration.ofMillis(200)));
    assertThat(Ws.open(server).send("not json").closeCode()).isEqualTo(4400);
    assertThat(
            Ws.open(server)
                .send("{\"type\":\"connection_init\"}")
                .send("{\"type\":\"nonsense\"}")
                .closeCode())
        .isEqualTo(4400);
    assertThat(
            Ws.open(server)
                .init(null)
                .send("{\"type\":\"subscribe\",\"id\":\"1\",\"payload\":{}}")
                .closeCode())
        .isEqualTo(4400);
    assertThat(
            Ws.open(server)
                .init(null)
                .send("{\"type\":\"next\",\"id\":\"1\",\"payload\":{}}")
                .closeCode())
        .isEqualTo(4400);
    assertThat(Ws.open(server).subscribe("1", WATCH).closeCode()).isEqualTo(4401);
    assertThat(Ws.open(server).init(null).send("{\"type\":\"connection_init\"}").closeCode())
        .isEqualTo(4429);
    // No connection_init within the (configured) timeout.
    assertThat(Ws.open(server).closeCode()).isEqualTo(4408);
    Ws duplicate = Ws.open(server).init(null).subscribe("same", WATCH);
    awaitOpenStreams(server, 1);
    assertThat(duplicate.subscribe("same", WATCH).closeCode()).isEqualTo(4409);
    awaitOpenStreams(server, 0);
    // A client that does not speak the subprotocol.
    assertThat(Ws.open(server, "graphql-ws").closeCode()).isEqualTo(4406);
  }

  @Test
  void requestErrors_areErrorMessages_andTheSocketStaysOpen() throws Exception {
    Server server = serve();
    Ws ws = Ws.open(server).init(null);
    ws.subscribe("bad", "subscription { nope }");
    JsonNode error = ws.next();
    assertThat(error.get("type").asText()).isEqualTo("error");
    assertThat(error.get("id").asText()).isEqualTo("bad");
    assertThat(error.at("/payload/0/extensions/code").asText()).isEqualTo("INVALID_ARGUMENT");
    ws.subscribe("ok", "{ name }");
    assertThat(ws.next().at("/payload/data/name").asText()).isEqualTo("Rootkit");
  }

  @Test
  void credentials_fromConnectionInit_applyToEveryOperation() throws Exception {
    Server server = serve(b -> b.authenticate(t -> GraphqlSecurityTest.TOKENS.get(t)), b -> b);
    String put = "mutation { putTask(id: 7, name: \"seven\") { id } }";

    Ws anonymous = Ws.open(server).init(null);
    anonymous.subscribe("p", put);
    JsonNode refused = anonymous.next();
    assertThat(refused.at("/payload/errors/0/extensions/code").asText())
        .isEqualTo("UNAUTHENTICATED");
    assertThat(anonymous.next().get("type").asText()).isEqualTo("complete");

    Ws badToken = Ws.open(server).init("{\"token\":\"nope\"}");
    badToken.subscribe("s", WATCH);
    JsonNode error = badToken.next();
    assertThat(error.get("type").asText()).isEqualTo("error");
    assertThat(error.at("/payload/0/extensions/code").asText()).isEqualTo("UNAUTHENTICATED");
    assertThat(error.toString()).doesNotContain("nope");
    assertThat(server.openStreams()).isZero();

    Ws reader = Ws.open(server).init("{\"token\":\"r-token\"}");
    reader.subscribe("p", put);
    assertThat(reader.next().at("/payload/errors/0/extensions/code").asText())
        .isEqualTo("PERMISSION_DENIED");

    Ws writer = Ws.open(server).init("{\"Authorization\":\"Bearer w-token\"}");
    writer.subscribe("s", WATCH);
    awaitOpenStreams(server, 1);
    writer.subscribe("p", put);
    // The subscription hears the put made on the same socket; the mutation answers once.
    List<JsonNode> got = List.of(writer.next(), writer.next(), writer.next());
    assertThat(got)
        .anySatisfy(m -> assertThat(m.toString()).contains("\"id\":\"s\"").contains("seven"));
    assertThat(got)
        .anySatisfy(m -> assertThat(m.toString()).contains("\"id\":\"p\"").contains("putTask"));
    assertThat(got)
        .anySatisfy(
            m -> assertThat(m.toString()).isEqualTo("{\"id\":\"p\",\"type\":\"complete\"}"));
  }

  @Test
  void serverClose_sendsCompleteForEachSubscription_thenClosesTheSocket() throws Exception {
    Server server = serve();
    Ws ws = Ws.open(server).init(null).subscribe("a", WATCH).subscribe("b", WATCH);
    awaitOpenStreams(server, 2);
    server.close();
    List<String> ends = List.of(ws.next().toString(), ws.next().toString());
    assertThat(ends)
        .containsExactlyInAnyOrder(
            "{\"id\":\"a\",\"type\":\"complete\"}", "{\"id\":\"b\",\"type\":\"complete\"}");
    assertThat(ws.closeCode()).isIn(1000, 1001);
    assertThat(server.openStreams()).isZero();
  }

  @Test
  void aSubscriberThatNeverReads_isEndedWhileAReaderGetsEverything() throws Exception {
    Server server = serve(b -> b.streamBuffer(64), b -> b);
    Ws reader = Ws.open(server).init(null).subscribe("r", WATCH);
    try (Socket stalled = stalledSubscriber(server)) {
      awaitOpenStreams(server, 2);
      // Long names so the stalled socket's buffers fill soon; put until the server ends it.
      String name = "x".repeat(190);
      int n = 0;
      try (GraphqlClient client = GraphqlClient.of("127.0.0.1", server.port("graphql"))) {
        TaskService tasks = client.withBearerToken("w-token").service(TaskService.DESCRIPTOR);
        while (server.openStreams() == 2 && n < 200_000) {
          n++;
          tasks.put(new Task(n, name + n));
        }
      }
      assertThat(server.openStreams()).as("after %d puts", n).isEqualTo(1);
      for (int i = 1; i <= n; i++) {
        assertThat(reader.next().at("/payload/data/taskSaved/id").asLong()).isEqualTo(i);
      }
      assertThat(server.stats().streamsEndedBehind()).isEqualTo(1);
    }
  }

  /**
   * Opens a WebSocket by hand, subscribes, and never reads again: a tiny receive buffer, so the
   * server's writes back up soon.
   */
  private static Socket stalledSubscriber(Server server) throws Exception {
    Socket s = new Socket();
    s.setReceiveBufferSize(1024);
    s.connect(new InetSocketAddress("127.0.0.1", server.port("graphql")), 20_000);
    OutputStream out = s.getOutputStream();
    String key =
        Base64.getEncoder().encodeToString("0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
    out.write(
        ("GET /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: "
                + key
                + "\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    InputStream in = s.getInputStream();
    // Read the handshake's head, then the connection_ack frame, then stop reading for good.
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      assertThat(c).as("handshake: %s", head).isNotNegative();
      head.append((char) c);
    }
    assertThat(head.toString()).startsWith("HTTP/1.1 101");
    frame(out, "{\"type\":\"connection_init\"}");
    int b0 = in.read();
    int len = in.read() & 0x7f;
    byte[] ack = in.readNBytes(len);
    assertThat(b0).isEqualTo(0x81);
    assertThat(new String(ack, StandardCharsets.UTF_8)).contains("connection_ack");
    frame(out, "{\"id\":\"s\",\"type\":\"subscribe\",\"payload\":{\"query\":\"" + WATCH + "\"}}");
    return s;
  }

  /** Writes one masked text frame (clients must mask). */
  private static void frame(OutputStream out, String text) throws Exception {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    assertThat(payload.length).isLessThan(126);
    byte[] mask = {1, 2, 3, 4};
    out.write(0x81);
    out.write(0x80 | payload.length);
    out.write(mask);
    for (int i = 0; i < payload.length; i++) {
      out.write(payload[i] ^ mask[i % 4]);
    }
    out.flush();
  }
}
