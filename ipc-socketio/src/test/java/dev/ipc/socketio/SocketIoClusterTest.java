package dev.ipc.socketio;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.Transports;
import dev.ipc.core.spi.EventBus;
import dev.ipc.core.spi.Transport;
import dev.ipc.core.testing.Interop;
import dev.ipc.redis.RedisBus;
import dev.ipc.redis.testing.RedisProcess;
import io.socket.client.Ack;
import io.socket.client.IO;
import io.socket.client.Socket;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import okhttp3.OkHttpClient;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

/**
 * Hosts' broadcasts across nodes on one real Redis, in the protocol of Node's
 * {@code @socket.io/redis-adapter} 8: between two ipc nodes, and between an ipc node and a Node
 * socket.io 4 server with that adapter (src/test/cluster). Clients are socket.io-client-java (v4
 * protocol) sockets, on either kind of server.
 */
@Interop
@Timeout(120)
class SocketIoClusterTest {
  private static final Path CLUSTER = Path.of("src/test/cluster");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<AutoCloseable> cleanup = new ArrayList<>();
  private final OkHttpClient okHttp =
      new OkHttpClient.Builder().readTimeout(0, TimeUnit.MILLISECONDS).build();
  private RedisProcess redis;

  @BeforeEach
  void startRedis() throws Exception {
    redis = new RedisProcess();
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = cleanup.size() - 1; i >= 0; i--) {
      try {
        cleanup.get(i).close();
      } catch (Exception e) {
        // the rest still closes
      }
    }
    okHttp.dispatcher().executorService().shutdown();
    okHttp.connectionPool().evictAll();
    redis.close();
  }

  // --- ipc node and ipc node ---

  @Test
  void twoIpcNodes_hostBroadcastsReachTheOtherNodesClientsOnce_notTheExceptedOnes()
      throws Exception {
    Node a = ipcNode();
    Node b = ipcNode();
    Peer a1 = peer(a.url(), null);
    Peer a2 = peer(a.url(), null);
    Peer b1 = peer(b.url(), null);
    Peer b2 = peer(b.url(), null);
    a2.call("do", "join", "r");
    b1.call("do", "join", "r");
    List<Peer> all = List.of(a1, a2, b1, b2);
    // Until both nodes hear each other (the subscriptions are in place before start returns, but
    // this also proves the path): a marker from A reaches B.
    a1.call("do", "done");
    awaitDone(all, 1);

    a1.call("do", "all");
    a1.call("do", "done");
    awaitDone(all, 2);
    for (Peer p : all) {
      assertThat(p.count("news")).as("broadcast heard once by %s", p).isEqualTo(1);
    }
    Object[] news = b1.heard("news").get(0);
    assertThat(news[0]).isInstanceOf(JSONObject.class);
    assertThat(((JSONObject) news[0]).getString("from")).isEqualTo("ipc");
    assertThat(((JSONObject) news[0]).getInt("n")).isEqualTo(1);
    assertThat(news[1]).as("binary stays binary across nodes").isEqualTo(new byte[] {1, 2, 3});

    a1.call("do", "others");
    a1.call("do", "done");
    awaitDone(all, 3);
    assertThat(a1.count("news")).as("the sender is excepted").isEqualTo(1);
    assertThat(a2.count("news")).isEqualTo(2);
    assertThat(b1.count("news")).isEqualTo(2);
    assertThat(b2.count("news")).isEqualTo(2);

    a1.call("do", "room", "r");
    a1.call("do", "done");
    awaitDone(all, 4);
    assertThat(a1.count("news")).isEqualTo(1);
    assertThat(a2.count("news")).isEqualTo(3);
    assertThat(b1.count("news")).isEqualTo(3);
    assertThat(b2.count("news")).as("not in the room").isEqualTo(2);

    // The sender in the room: excepted on its node, its room mates everywhere hear it.
    a2.call("do", "room", "r");
    a1.call("do", "done");
    awaitDone(all, 5);
    assertThat(a2.count("news")).isEqualTo(3);
    assertThat(b1.count("news")).isEqualTo(4);

    // Every event handed to a client counted, on each node, and nothing dropped: on A, news 2+1+1+0
    // and 5 markers to 2 clients; on B, news 2+2+1+1 and 5 markers to 2 clients.
    awaitTrue(() -> delivered(a.server) == 4 + 10 && delivered(b.server) == 6 + 10);
    assertThat(delivered(a.server)).isEqualTo(14);
    assertThat(delivered(b.server)).isEqualTo(16);
    assertThat(a.server.stats().eventsDropped()).containsEntry("socketio", 0L);
    assertThat(b.server.stats().eventsDropped()).containsEntry("socketio", 0L);

    // Another namespace: its own channel, its own clients.
    Peer c1 = peer(a.url() + "/chat", null);
    Peer c2 = peer(b.url() + "/chat", null);
    c1.call("do", "all");
    c1.call("do", "done");
    awaitDone(List.of(c1, c2), 1);
    assertThat(c2.count("news")).isEqualTo(1);
    assertThat(c1.count("news")).isEqualTo(1);
    a1.call("do", "done");
    awaitDone(all, 6);
    assertThat(b2.count("news"))
        .as("the main namespace's clients hear nothing of /chat")
        .isEqualTo(2);
  }

  // --- ipc node and Node socket.io with @socket.io/redis-adapter ---

  @Test
  void ipcNodeAndNodeAdapter_shareBroadcastsRoomsAndRequests() throws Exception {
    NodeServer n = nodeServer();
    Node a = ipcNode();
    // The Node server counts the ipc node among its servers: it subscribed the request channel.
    awaitTrue(() -> n.command("serverCount").asInt() == 2);
    Peer a1 = peer(a.url(), null);
    Peer a2 = peer(a.url(), null);
    a2.call("do", "join", "r");
    Peer n1 = peer(n.url(), "r");
    Peer n2 = peer(n.url(), null);
    List<Peer> all = List.of(a1, a2, n1, n2);
    a1.call("do", "done");
    awaitDone(all, 1);

    // ipc to Node: to all, to the others, to a room.
    a1.call("do", "all");
    a1.call("do", "others");
    a1.call("do", "room", "r");
    a1.call("do", "done");
    awaitDone(all, 2);
    assertThat(n1.count("news")).isEqualTo(3);
    assertThat(n2.count("news")).as("not in room r").isEqualTo(2);
    assertThat(a1.count("news")).isEqualTo(1);
    assertThat(a2.count("news")).isEqualTo(3);
    Object[] fromIpc = n2.heard("news").get(0);
    assertThat(((JSONObject) fromIpc[0]).getString("from")).isEqualTo("ipc");
    assertThat(fromIpc[1])
        .as("msgpack bin is a Buffer on Node, binary to its client")
        .isEqualTo(new byte[] {1, 2, 3});
    all.forEach(Peer::clearNews);

    // Node to ipc: io.emit, io.to(room), io.except(room), socket.broadcast.emit.
    n.command(
        "emitAll",
        Map.of(
            "event",
            "news",
            "args",
            List.of(
                Map.of("from", "node", "list", List.of(1, 2.5, true)),
                Map.of("$bytes", List.of(4, 5)))));
    n.command("emitRoom", Map.of("room", "r", "event", "news", "args", List.of("room")));
    n.command("emitExcept", Map.of("room", "r", "event", "news", "args", List.of("except")));
    n.command(
        "socketBroadcast",
        Map.of("sid", n1.socket.id(), "event", "news", "args", List.of("others")));
    n.command("emitOther", Map.of("event", "news", "args", List.of("another namespace")));
    n.command("emitAll", Map.of("event", "done", "args", List.of()));
    awaitDone(all, 3);
    assertThat(a1.strings("news").subList(1, 3)).containsExactly("except", "others");
    assertThat(a2.strings("news").subList(1, 3)).containsExactly("room", "others");
    assertThat(a1.count("news")).isEqualTo(3);
    assertThat(a2.count("news")).isEqualTo(3);
    Object[] fromNode = a1.heard("news").get(0);
    JSONObject value = (JSONObject) fromNode[0];
    assertThat(value.getString("from")).isEqualTo("node");
    assertThat(value.getJSONArray("list").toString()).isEqualTo("[1,2.5,true]");
    assertThat(fromNode[1])
        .as("a Node Buffer reaches the ipc node's client as binary")
        .isEqualTo(new byte[] {4, 5});
    assertThat(n1.strings("news").subList(1, 2))
        .as("the Node sender, in r, is excepted")
        .containsExactly("room");
    assertThat(n1.count("news")).isEqualTo(2);
    all.forEach(Peer::clearNews);

    // The Node side's requests include the ipc node's sockets and rooms.
    JsonNode sockets = n.command("fetchSockets");
    Map<String, JsonNode> byId = new LinkedHashMap<>();
    sockets.forEach(s -> byId.put(s.get("id").asText(), s));
    assertThat(byId).containsKeys(a1.socket.id(), a2.socket.id(), n1.socket.id(), n2.socket.id());
    JsonNode ipcSocket = byId.get(a2.socket.id());
    assertThat(ipcSocket.get("rooms").toString()).isEqualTo("[\"" + a2.socket.id() + "\",\"r\"]");
    assertThat(ipcSocket.at("/handshake/query/EIO").asText()).isEqualTo("4");
    assertThat(ipcSocket.at("/handshake/address").asText()).contains("127.0.0.1");
    assertThat(ipcSocket.at("/handshake/issued").isNumber()).isTrue();
    JsonNode rooms = n.command("allRooms");
    List<String> roomNames = new ArrayList<>();
    rooms.forEach(r -> roomNames.add(r.asText()));
    assertThat(roomNames).contains("r", a1.socket.id(), a2.socket.id(), n1.socket.id());

    // socketsJoin for an ipc socket: it is then in the room for Node's broadcasts.
    n.command("socketsJoin", Map.of("target", a1.socket.id(), "room", "s"));
    awaitTrue(() -> contains(n.command("allRooms"), "s"));
    n.command("emitRoom", Map.of("room", "s", "event", "news", "args", List.of("joined")));
    n.command("emitAll", Map.of("event", "done", "args", List.of()));
    awaitDone(all, 4);
    assertThat(a1.strings("news")).containsExactly("joined");
    assertThat(a2.count("news")).isZero();

    // A broadcast with acks from Node: every client, ipc or Node, answers it.
    JsonNode acks =
        n.command("emitWithAck", Map.of("timeout", 5000, "event", "ask", "args", List.of("q")));
    List<String> answers = new ArrayList<>();
    acks.forEach(x -> answers.add(x.asText()));
    assertThat(answers)
        .containsExactlyInAnyOrder(
            "ack-" + a1.socket.id(),
            "ack-" + a2.socket.id(),
            "ack-" + n1.socket.id(),
            "ack-" + n2.socket.id());

    // serverSideEmit: nothing for ipc to run; heard, logged once, and nothing breaks.
    n.command("serverSideEmit", Map.of("args", List.of("x")));
    awaitTrue(() -> a.running.clusterRequestsIgnored() == 1);
    n.command("emitAll", Map.of("event", "done", "args", List.of()));
    awaitDone(all, 5);

    // disconnectSockets for an ipc socket.
    n.command("disconnectSockets", Map.of("target", a2.socket.id()));
    awaitTrue(() -> !a2.socket.connected());
    assertThat(a1.socket.connected()).isTrue();

    // Every broadcast event handed to an ipc client counted: news 2+1+1 (ipc) + 2+1+1+2 (Node) + 1
    // (joined), the acked ask 2, and 5 markers to 2 clients.
    awaitTrue(() -> delivered(a.server) == 4 + 6 + 1 + 2 + 10);
    assertThat(delivered(a.server)).isEqualTo(23);
    assertThat(a.server.stats().eventsDropped()).containsEntry("socketio", 0L);
  }

  // --- raw adapter messages: both request forms, msgpack requests, what is ignored ---

  @Test
  void rawAdapterMessages_sidAndMsgpackRequestsAnswered_malformedAndForeignOnesIgnored()
      throws Exception {
    Node a = ipcNode();
    Peer a1 = peer(a.url(), null);
    EventBus.Node raw = RedisBus.of(redis.uri()).join(List.of(), p -> {});
    cleanup.add(raw::close);
    BlockingQueue<String> responses = new LinkedBlockingQueue<>();
    cleanup.add(
        raw.messages()
            .listen(
                "socket.io-response#/#",
                (c, m) -> responses.add(new String(m, StandardCharsets.UTF_8))));
    String id = a1.socket.id();

    // Malformed and foreign: ignored, nothing answered, nothing breaks.
    raw.messages().send("socket.io#/#", new byte[] {1, 2, 3});
    raw.messages().send("socket.io-request#/#", new byte[] {(byte) 0xc1});
    raw.messages().send("socket.io-request#/#", "{\"type\":".getBytes(StandardCharsets.UTF_8));
    raw.messages()
        .send(
            "socket.io-request#/#",
            "{\"uid\":\"raw\",\"type\":42,\"requestId\":\"u1\"}".getBytes(StandardCharsets.UTF_8));
    raw.messages()
        .send("socket.io#/#", broadcast("/other", List.of(), List.of(), "news", "other namespace"));

    // The sid form, as msgpack: answered; for a socket of no ipc node's, not answered.
    raw.messages()
        .send(
            "socket.io-request#/#",
            msgpack(
                Map.of("uid", "raw", "requestId", "j0", "type", 2, "sid", "nobody", "room", "x")));
    raw.messages()
        .send(
            "socket.io-request#/#",
            msgpack(Map.of("uid", "raw", "requestId", "j1", "type", 2, "sid", id, "room", "raw")));
    assertThat(JSON.readTree(responses.poll(20, TimeUnit.SECONDS)).toString())
        .isEqualTo("{\"requestId\":\"j1\"}");
    raw.messages()
        .send(
            "socket.io-request#/#",
            "{\"uid\":\"raw\",\"requestId\":\"s1\",\"type\":0,\"rooms\":[\"raw\"]}"
                .getBytes(StandardCharsets.UTF_8));
    assertThat(JSON.readTree(responses.poll(20, TimeUnit.SECONDS)).toString())
        .isEqualTo("{\"requestId\":\"s1\",\"sockets\":[\"" + id + "\"]}");

    // A room channel reaches the room's members; except by socket id or by room leaves them out.
    raw.messages()
        .send("socket.io#/#raw#", broadcast("/", List.of("raw"), List.of(), "news", "to raw"));
    raw.messages()
        .send("socket.io#/#", broadcast("/", List.of(), List.of(id), "news", "except id"));
    raw.messages()
        .send("socket.io#/#", broadcast("/", List.of(), List.of("raw"), "news", "except room"));
    raw.messages()
        .send(
            "socket.io#/#nowhere#",
            broadcast("/", List.of("nowhere"), List.of(), "news", "no member"));
    raw.messages().send("socket.io#/#", broadcast("/", List.of(), List.of(), "done"));
    awaitDone(List.of(a1), 1);
    assertThat(a1.strings("news")).containsExactly("to raw");

    raw.messages()
        .send(
            "socket.io-request#/#",
            msgpack(Map.of("uid", "raw", "requestId", "l1", "type", 3, "sid", id, "room", "raw")));
    assertThat(JSON.readTree(responses.poll(20, TimeUnit.SECONDS)).toString())
        .isEqualTo("{\"requestId\":\"l1\"}");
    raw.messages()
        .send(
            "socket.io-request#/#",
            "{\"uid\":\"raw\",\"requestId\":\"r1\",\"type\":1}".getBytes(StandardCharsets.UTF_8));
    assertThat(JSON.readTree(responses.poll(20, TimeUnit.SECONDS)).toString())
        .isEqualTo("{\"requestId\":\"r1\",\"rooms\":[\"" + id + "\"]}");
    assertThat(a.running.clusterRequestsIgnored()).as("the unknown type").isEqualTo(1);
    assertThat(responses).isEmpty();

    // The sid form of REMOTE_DISCONNECT, answered once the socket is gone.
    raw.messages()
        .send(
            "socket.io-request#/#",
            msgpack(Map.of("uid", "raw", "requestId", "d1", "type", 4, "sid", id, "close", true)));
    assertThat(JSON.readTree(responses.poll(20, TimeUnit.SECONDS)).toString())
        .isEqualTo("{\"requestId\":\"d1\"}");
    awaitTrue(() -> !a1.socket.connected());
  }

  /** A broadcast as the adapter sends it: msgpack [uid, packet, opts]. */
  private static byte[] broadcast(
      String nsp, List<String> rooms, List<String> except, String event, Object... args)
      throws IOException {
    List<Object> data = new ArrayList<>();
    data.add(event);
    data.addAll(Arrays.asList(args));
    return msgpack(
        List.of(
            "rawnode",
            Map.of("type", 2, "data", data, "nsp", nsp),
            Map.of("rooms", rooms, "except", except, "flags", Map.of())));
  }

  private static byte[] msgpack(Object value) throws IOException {
    try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
      AdapterCluster.pack(p, JSON.valueToTree(value));
      return p.toByteArray();
    }
  }

  // --- helpers ---

  private static long delivered(Server server) {
    return server.stats().eventsDelivered().getOrDefault("socketio", -1L);
  }

  private static boolean contains(JsonNode array, String value) {
    for (JsonNode n : array) {
      if (n.asText().equals(value)) {
        return true;
      }
    }
    return false;
  }

  private static void awaitDone(List<Peer> peers, int n) throws InterruptedException {
    awaitTrue(() -> peers.stream().allMatch(p -> p.count("done") >= n));
    for (Peer p : peers) {
      assertThat(p.count("done")).as("markers heard by %s", p).isEqualTo(n);
    }
  }

  private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition met within 20 s").isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  /**
   * An ipc server on the Redis bus, whose host event {@code do} broadcasts as its arguments say.
   */
  record Node(Server server, DefaultSocketIoServer running) {
    String url() {
      return "http://127.0.0.1:" + server.port("socketio");
    }
  }

  private Node ipcNode() {
    SocketIoTransport transport =
        SocketIoTransport.builder()
            .host("127.0.0.1")
            .port(0)
            .on("/", "do", SocketIoClusterTest::host)
            .on("/chat", "do", SocketIoClusterTest::host)
            .build();
    return start(transport);
  }

  /** The host event {@code do}: its first argument says what the session does. */
  private static void host(SocketIoSession session, List<Object> args, SocketIoAck ack) {
    String what = (String) args.get(0);
    Object[] news = {Map.of("from", "ipc", "n", 1), new byte[] {1, 2, 3}};
    switch (what) {
      case "join" -> session.join((String) args.get(1));
      case "all" -> session.broadcast("news", news);
      case "others" -> session.broadcastToOthers("news", news);
      case "room" -> session.sendToRoom((String) args.get(1), "news", news);
      case "done" -> session.broadcast("done");
      default -> throw new IllegalArgumentException(what);
    }
    ack.send("ok");
  }

  private Node start(SocketIoTransport transport) {
    CompletableFuture<DefaultSocketIoServer> running = new CompletableFuture<>();
    Transport capturing = Running.capturing(transport, running::complete);
    Server server =
        Transports.builder()
            .services(Reference.services())
            .bus(RedisBus.of(redis.uri()))
            .transport(capturing)
            .start();
    cleanup.add(server::close);
    return new Node(server, running.join());
  }

  /**
   * A socket.io-client-java socket over WebSocket, recording the events it hears; acks {@code ask}.
   */
  final class Peer {
    final Socket socket;
    private final Map<String, List<Object[]>> heard = new ConcurrentHashMap<>();

    Peer(String url, String room) throws InterruptedException {
      IO.Options options = new IO.Options();
      options.forceNew = true;
      options.reconnection = false;
      options.transports = new String[] {"websocket"};
      options.callFactory = okHttp;
      options.webSocketFactory = okHttp;
      if (room != null) {
        options.query = "room=" + room;
      }
      socket = IO.socket(URI.create(url), options);
      for (String event : List.of("news", "done")) {
        socket.on(
            event,
            args -> heard.computeIfAbsent(event, k -> new CopyOnWriteArrayList<>()).add(args));
      }
      socket.on("ask", args -> ((Ack) args[args.length - 1]).call("ack-" + socket.id()));
      BlockingQueue<Boolean> connected = new LinkedBlockingQueue<>();
      socket.once(Socket.EVENT_CONNECT, args -> connected.add(true));
      socket.connect();
      cleanup.add(socket::close);
      assertThat(connected.poll(20, TimeUnit.SECONDS)).as("connected to %s", url).isNotNull();
    }

    /** Emits {@code event} with {@code args} and waits for its ack. */
    void call(String event, Object... args) throws InterruptedException {
      BlockingQueue<Object[]> acked = new LinkedBlockingQueue<>();
      Object[] withAck = Arrays.copyOf(args, args.length + 1);
      withAck[args.length] = (Ack) acked::add;
      socket.emit(event, withAck);
      Object[] answer = acked.poll(20, TimeUnit.SECONDS);
      assertThat(answer).as("ack of %s %s", event, Arrays.toString(args)).isNotNull();
      assertThat(answer[0]).isEqualTo("ok");
    }

    void clearNews() {
      heard.remove("news");
    }

    List<Object[]> heard(String event) {
      return heard.getOrDefault(event, List.of());
    }

    int count(String event) {
      return heard(event).size();
    }

    /** The first argument of each {@code event}, as strings. */
    List<String> strings(String event) {
      List<String> out = new ArrayList<>();
      for (Object[] args : heard(event)) {
        out.add(args[0] instanceof String s ? s : String.valueOf(args[0]));
      }
      return out;
    }

    @Override
    public String toString() {
      return "Peer{" + socket.id() + '}';
    }
  }

  private Peer peer(String url, String room) throws InterruptedException {
    return new Peer(url, room);
  }

  /** The Node server of src/test/cluster, driven through its stdin. */
  final class NodeServer {
    private final Process process;
    private final OutputStream in;
    private final Map<String, CompletableFuture<String>> answers = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Integer> port = new CompletableFuture<>();

    NodeServer() throws IOException {
      assertThat(CLUSTER.resolve("node_modules/@socket.io/redis-adapter"))
          .as(
              "the Node cluster packages are installed: run `npm ci` in ipc-socketio/src/test/cluster")
          .isDirectory();
      process =
          new ProcessBuilder("node", "node-server.js", redis.uri())
              .directory(CLUSTER.toFile())
              .redirectErrorStream(true)
              .start();
      in = process.getOutputStream();
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                  for (String line; (line = r.readLine()) != null; ) {
                    output.add(line);
                    if (line.startsWith("PORT ")) {
                      port.complete(Integer.parseInt(line.substring(5).trim()));
                    } else if (line.startsWith("RESULT ") || line.startsWith("ERROR ")) {
                      String[] parts = line.split(" ", 3);
                      CompletableFuture<String> f =
                          answers.computeIfAbsent(parts[1], k -> new CompletableFuture<>());
                      if (parts[0].equals("RESULT")) {
                        f.complete(parts[2]);
                      } else {
                        f.completeExceptionally(new AssertionError("node: " + line));
                      }
                    }
                  }
                } catch (IOException e) {
                  // the process ended
                }
                port.completeExceptionally(new AssertionError("node server ended: " + output));
              },
              "node-server-output");
      reader.setDaemon(true);
      reader.start();
    }

    String url() {
      try {
        return "http://127.0.0.1:" + port.get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new AssertionError("node server did not start: " + output, e);
      }
    }

    JsonNode command(String op) {
      return command(op, Map.of());
    }

    JsonNode command(String op, Map<String, Object> fields) {
      String id = String.valueOf(ids.incrementAndGet());
      Map<String, Object> c = new LinkedHashMap<>(fields);
      c.put("op", op);
      c.put("id", id);
      try {
        synchronized (in) {
          in.write((JSON.writeValueAsString(c) + "\n").getBytes(StandardCharsets.UTF_8));
          in.flush();
        }
        String result =
            answers.computeIfAbsent(id, k -> new CompletableFuture<>()).get(30, TimeUnit.SECONDS);
        return JSON.readTree(result);
      } catch (Exception e) {
        throw new AssertionError(op + " failed; node output: " + output, e);
      }
    }

    void close() throws InterruptedException {
      try {
        in.close();
      } catch (IOException e) {
        // gone already
      }
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  private NodeServer nodeServer() throws IOException {
    NodeServer n = new NodeServer();
    cleanup.add(n::close);
    n.url();
    return n;
  }
}
