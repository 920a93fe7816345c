package dev.ipc.socketio;

import com.corundumstudio.socketio.AckCallback;
import com.corundumstudio.socketio.SocketIOClient;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ipc.core.spi.EventBus;
import java.io.IOException;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePacker;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ArrayValue;
import org.msgpack.value.ExtensionValue;
import org.msgpack.value.MapValue;
import org.msgpack.value.Value;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One server's place in a Socket.IO cluster, speaking the protocol of Node's
 * {@code @socket.io/redis-adapter} 8 on the bus's raw channels ({@link EventBus.Messages}), so ipc
 * nodes and Node socket.io 4 servers on one Redis share broadcasts and answer each other's adapter
 * requests.
 *
 * <ul>
 *   <li>Broadcasts: {@code <key>#<nsp>#} (to all) or {@code <key>#<nsp>#<room>#} (to exactly one
 *       room), msgpack {@code [uid, {type: 2, data: [event, ...args], nsp}, {rooms, except,
 *       flags}]}; heard with a prefix subscription ({@code PSUBSCRIBE <key>#<nsp>#*}), as the
 *       adapter does.
 *   <li>Requests: {@code <key>-request#<nsp>#}, JSON (or msgpack), subscribed exactly ({@code
 *       SUBSCRIBE}) so a Node node's {@code serverCount()} ({@code PUBSUB NUMSUB}) counts this one;
 *       answers on {@code <key>-response#<nsp>#}, which every requester listens to (whether or not
 *       it also set {@code publishOnSpecificResponseChannel}; answering on both would count twice).
 * </ul>
 *
 * Listeners run on the bus's thread: they only look up local clients, encode and write (never
 * block). Nothing here throws into the bus: a message that does not parse is dropped with one log
 * line naming its channel, never its content.
 */
final class AdapterCluster implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AdapterCluster.class);

  // socket.io-parser packet types a broadcast may carry.
  private static final int EVENT = 2;
  private static final int BINARY_EVENT = 5;

  // The adapter's request types (RequestType in its index.js).
  static final int SOCKETS = 0;
  static final int ALL_ROOMS = 1;
  static final int REMOTE_JOIN = 2;
  static final int REMOTE_LEAVE = 3;
  static final int REMOTE_DISCONNECT = 4;
  static final int REMOTE_FETCH = 5;
  static final int SERVER_SIDE_EMIT = 6;
  static final int BROADCAST = 7;
  static final int BROADCAST_CLIENT_COUNT = 8;
  static final int BROADCAST_ACK = 9;

  /**
   * Node's {@code Date.prototype.toString()} in UTC, for a fetched socket's {@code handshake.time}.
   */
  private static final DateTimeFormatter JS_DATE =
      DateTimeFormatter.ofPattern(
              "EEE MMM dd uuuu HH:mm:ss 'GMT+0000 (Coordinated Universal Time)'", Locale.ROOT)
          .withZone(ZoneOffset.UTC);

  /** {@code Date.prototype.toJSON()}: what a JavaScript Date sent in msgpack reads as in JSON. */
  private static final DateTimeFormatter JS_JSON =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT)
          .withZone(ZoneOffset.UTC);

  /**
   * Handshake headers never handed to other nodes: credentials are checked once, on the node the
   * client connected to, and stay there (Node's adapter would send them; ipc does not put them on
   * Redis).
   */
  private static final Set<String> PRIVATE_HEADERS =
      Set.of("authorization", "cookie", "proxy-authorization");

  private final DefaultSocketIoServer server;
  private final EventBus.Messages messages;
  private final String key;
  private final Set<String> namespaces;
  private final boolean secure;

  /** This node's id in every message it sends: its own come back to it, and are ignored by it. */
  final String uid;

  /**
   * Host arguments to JSON trees, set as netty-socketio's Jackson mapper is (nulls left out), so
   * other nodes' clients get what this node's get. Not that mapper itself: its byte[] serializer
   * moves bytes out as attachments of the packet being written; here they stay in the tree, as
   * msgpack bin.
   */
  private final ObjectMapper mapper =
      new ObjectMapper()
          .setSerializationInclusion(JsonInclude.Include.NON_NULL)
          .configure(SerializationFeature.FAIL_ON_EMPTY_BEANS, false);

  private final ObjectMapper json = new ObjectMapper();
  private final List<AutoCloseable> handles = new ArrayList<>();

  /** What was logged at WARN once already (then DEBUG): a chatty peer must not flood the log. */
  private final Set<String> warned = ConcurrentHashMap.newKeySet();

  /** Requests this node heard and does not serve (serverSideEmit, unknown types); for tests. */
  final java.util.concurrent.atomic.LongAdder ignored = new java.util.concurrent.atomic.LongAdder();

  AdapterCluster(
      DefaultSocketIoServer server,
      EventBus.Messages messages,
      String key,
      Set<String> namespaces,
      boolean secure) {
    this.server = server;
    this.messages = messages;
    this.key = key;
    this.namespaces = Set.copyOf(namespaces);
    this.secure = secure;
    this.uid = newUid();
  }

  /**
   * Six characters of [A-Za-z0-9], as the adapter's {@code uid2(6)}, plus six more against clashes.
   */
  private static String newUid() {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    SecureRandom random = new SecureRandom();
    StringBuilder b = new StringBuilder(12);
    for (int i = 0; i < 12; i++) {
      b.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return b.toString();
  }

  String channel(String ns) {
    return key + "#" + ns + "#";
  }

  String requestChannel(String ns) {
    return key + "-request#" + ns + "#";
  }

  String responseChannel(String ns) {
    return key + "-response#" + ns + "#";
  }

  /** Subscribes every namespace's broadcast prefix and request channel. */
  void start() {
    for (String ns : namespaces) {
      handles.add(
          messages.listenPrefix(
              channel(ns), (channel, message) -> onBroadcast(ns, channel, message)));
      handles.add(
          messages.listen(
              requestChannel(ns), (channel, message) -> onRequest(ns, channel, message)));
    }
  }

  @Override
  public void close() {
    for (AutoCloseable h : handles) {
      try {
        h.close();
      } catch (Exception e) {
        LOG.debug("leaving a cluster channel failed", e);
      }
    }
    handles.clear();
  }

  // Out: this node's host broadcasts.

  /**
   * Publishes a host broadcast of namespace {@code ns} to the other nodes: to all (no rooms) or to
   * {@code rooms}, but not to {@code except} (socket ids or rooms). Never throws: arguments that do
   * not convert are logged (their type only) and reach this node's clients only.
   */
  void publish(String ns, List<String> rooms, List<String> except, String event, Object[] data) {
    byte[] message;
    try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
      p.packArrayHeader(3);
      p.packString(uid);
      p.packMapHeader(3);
      p.packString("type");
      p.packInt(EVENT);
      p.packString("data");
      p.packArrayHeader(1 + data.length);
      p.packString(event);
      for (Object arg : data) {
        pack(p, mapper.valueToTree(arg));
      }
      p.packString("nsp");
      p.packString(ns);
      p.packMapHeader(3);
      p.packString("rooms");
      packStrings(p, rooms);
      p.packString("except");
      packStrings(p, except);
      p.packString("flags");
      p.packMapHeader(0);
      message = p.toByteArray();
    } catch (IOException | RuntimeException e) {
      once(
          "convert",
          "a broadcast of {} was not sent to the other nodes: its arguments do not convert ({})",
          ns,
          e.getClass().getName());
      return;
    }
    String channel = channel(ns) + (rooms.size() == 1 ? rooms.get(0) + "#" : "");
    messages.send(channel, message);
  }

  private static void packStrings(MessagePacker p, Collection<String> values) throws IOException {
    p.packArrayHeader(values.size());
    for (String v : values) {
      p.packString(v);
    }
  }

  /** Writes a JSON tree as msgpack: bytes as {@code bin}, so Node hands them on as binary. */
  static void pack(MessagePacker p, JsonNode n) throws IOException {
    if (n == null) {
      p.packNil(); // valueToTree(null)
      return;
    }
    switch (n.getNodeType()) {
      case NULL, MISSING -> p.packNil();
      case BOOLEAN -> p.packBoolean(n.booleanValue());
      case STRING -> p.packString(n.textValue());
      case BINARY -> {
        byte[] bytes = n.binaryValue();
        p.packBinaryHeader(bytes.length);
        p.writePayload(bytes);
      }
      case NUMBER -> {
        if (n.isIntegralNumber() && n.canConvertToLong()) {
          p.packLong(n.longValue());
        } else if (n.isBigInteger()
            && n.bigIntegerValue().signum() > 0
            && n.bigIntegerValue().bitLength() <= 64) {
          p.packBigInteger(n.bigIntegerValue());
        } else {
          p.packDouble(n.doubleValue());
        }
      }
      case ARRAY -> {
        p.packArrayHeader(n.size());
        for (JsonNode e : n) {
          pack(p, e);
        }
      }
      case OBJECT -> {
        p.packMapHeader(n.size());
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          p.packString(e.getKey());
          pack(p, e.getValue());
        }
      }
      default -> p.packString(n.asText()); // POJO nodes: not made by valueToTree for plain values
    }
  }

  // In: other nodes' broadcasts.

  private void onBroadcast(String ns, String channel, byte[] message) {
    try {
      String prefix = channel(ns);
      if (!channel.startsWith(prefix)) {
        return;
      }
      // The room of a room channel, as the adapter reads it (slice(prefix.length, -1)).
      String room =
          channel.length() > prefix.length()
              ? channel.substring(prefix.length(), channel.length() - 1)
              : "";
      if (!room.isEmpty() && !server.hasRoom(ns, room)) {
        return; // no local member: as the adapter, not even decoded
      }
      Object decoded = unpack(message);
      if (!(decoded instanceof List<?> parts) || parts.size() < 2) {
        malformed(channel);
        return;
      }
      if (uid.equals(parts.get(0))) {
        return; // our own, delivered locally when sent
      }
      if (!(parts.get(1) instanceof Map<?, ?> packet)) {
        malformed(channel);
        return;
      }
      Object nsp = packet.get("nsp");
      if (!ns.equals(nsp == null ? "/" : nsp)) {
        return;
      }
      Object type = packet.get("type");
      if (!(type instanceof Number t) || (t.intValue() != EVENT && t.intValue() != BINARY_EVENT)) {
        once(
            "type:" + channel,
            "ignored a broadcast of another packet type than an event on {}",
            channel);
        return;
      }
      if (!(packet.get("data") instanceof List<?> data)
          || data.isEmpty()
          || !(data.get(0) instanceof String event)) {
        malformed(channel);
        return;
      }
      Map<?, ?> opts = parts.size() > 2 && parts.get(2) instanceof Map<?, ?> m ? m : Map.of();
      if (opts.get("flags") instanceof Map<?, ?> flags && Boolean.TRUE.equals(flags.get("local"))) {
        return; // meant for its sender's node only (the adapter never sends these; ipc has no such
        // flag)
      }
      Set<String> rooms = strings(opts.get("rooms"));
      Set<String> except = strings(opts.get("except"));
      server.deliverRemote(
          ns, audience(rooms, except), event, data.subList(1, data.size()).toArray());
    } catch (IOException | RuntimeException e) {
      malformed(channel);
      LOG.debug("broadcast on {} failed", channel, e);
    }
  }

  /** The clients of {@code rooms} (all when empty) but those in {@code except}, ids or rooms. */
  private Predicate<SocketIOClient> audience(Set<String> rooms, Set<String> except) {
    return c -> (rooms.isEmpty() || inAny(c, rooms)) && (except.isEmpty() || !inAny(c, except));
  }

  private boolean inAny(SocketIOClient c, Set<String> rooms) {
    for (String r : rooms) {
      if (server.inRoom(c, r)) {
        return true;
      }
    }
    return false;
  }

  /** Room names as the adapter keeps them: strings (a number is a room named by its digits). */
  private static Set<String> strings(Object list) {
    Set<String> out = new LinkedHashSet<>();
    if (list instanceof List<?> l) {
      for (Object o : l) {
        if (o instanceof String s) {
          out.add(s);
        } else if (o instanceof Long || o instanceof Integer) {
          out.add(String.valueOf(o));
        } else if (o instanceof Number n) {
          double d = n.doubleValue();
          out.add(
              d == Math.rint(d) && !Double.isInfinite(d)
                  ? String.valueOf((long) d)
                  : String.valueOf(d));
        }
      }
    }
    return out;
  }

  // In: requests.

  private void onRequest(String ns, String channel, byte[] message) {
    Map<?, ?> request;
    try {
      Object decoded =
          message.length > 0 && message[0] == '{'
              ? json.readValue(message, Map.class)
              : unpack(message);
      if (!(decoded instanceof Map<?, ?> m)) {
        malformed(channel);
        return;
      }
      request = m;
    } catch (IOException | RuntimeException e) {
      malformed(channel);
      return;
    }
    try {
      answer(ns, channel, request);
    } catch (RuntimeException e) {
      once(
          "failed:" + channel,
          "a cluster request on {} failed: {}",
          channel,
          e.getClass().getName());
      LOG.debug("request on {} failed", channel, e);
    }
  }

  private void answer(String ns, String channel, Map<?, ?> request) {
    if (uid.equals(request.get("uid"))) {
      return; // never sent by ipc, but its own would come back
    }
    if (!(request.get("type") instanceof Number t)) {
      malformed(channel);
      return;
    }
    Object requestId = request.get("requestId");
    Map<?, ?> opts = request.get("opts") instanceof Map<?, ?> m ? m : null;
    switch (t.intValue()) {
      case SOCKETS -> {
        List<String> ids = new ArrayList<>();
        Predicate<SocketIOClient> to = audience(strings(request.get("rooms")), Set.of());
        for (SocketIOClient c : server.clients(ns)) {
          if (to.test(c)) {
            ids.add(c.getSessionId().toString());
          }
        }
        respond(ns, response(requestId, "sockets", ids));
      }
      case ALL_ROOMS ->
          respond(ns, response(requestId, "rooms", new ArrayList<>(server.rooms(ns))));
      case REMOTE_JOIN, REMOTE_LEAVE -> {
        boolean join = t.intValue() == REMOTE_JOIN;
        if (opts != null) {
          Set<String> rooms = strings(request.get("rooms"));
          Predicate<SocketIOClient> to =
              audience(strings(opts.get("rooms")), strings(opts.get("except")));
          for (SocketIOClient c : server.clients(ns)) {
            if (to.test(c)) {
              rooms.forEach(r -> server.joinOrLeave(c, r, join));
            }
          }
          return; // the opts form is answered by nobody
        }
        SocketIOClient c = server.client(ns, String.valueOf(request.get("sid")));
        if (c == null || !(request.get("room") instanceof String room)) {
          return; // another node's socket: that node answers
        }
        server.joinOrLeave(c, room, join);
        respond(ns, response(requestId, null, null));
      }
      case REMOTE_DISCONNECT -> {
        boolean close = Boolean.TRUE.equals(request.get("close"));
        if (opts != null) {
          Predicate<SocketIOClient> to =
              audience(strings(opts.get("rooms")), strings(opts.get("except")));
          List<SocketIOClient> gone = new ArrayList<>();
          server
              .clients(ns)
              .forEach(
                  c -> {
                    if (to.test(c)) {
                      gone.add(c);
                    }
                  });
          gone.forEach(c -> server.disconnect(c, close));
          return;
        }
        SocketIOClient c = server.client(ns, String.valueOf(request.get("sid")));
        if (c == null) {
          return;
        }
        server.disconnect(c, close);
        respond(ns, response(requestId, null, null));
      }
      case REMOTE_FETCH -> {
        Predicate<SocketIOClient> to =
            opts == null
                ? c -> true
                : audience(strings(opts.get("rooms")), strings(opts.get("except")));
        List<Object> sockets = new ArrayList<>();
        for (SocketIOClient c : server.clients(ns)) {
          if (to.test(c)) {
            sockets.add(fetched(c));
          }
        }
        respond(ns, response(requestId, "sockets", sockets));
      }
      case BROADCAST -> broadcastWithAck(ns, channel, request, requestId, opts);
      case SERVER_SIDE_EMIT -> {
        ignored.increment();
        once(
            "serverSideEmit:" + channel,
            "ignored a serverSideEmit on {}: ipc has no server-side event handlers (a Node node waiting for acks times"
                + " out on this one)",
            channel);
      }
      default -> {
        ignored.increment();
        once(
            "type:" + channel,
            "ignored a cluster request of unknown type {} on {}",
            t.intValue(),
            channel);
      }
    }
  }

  /**
   * Emits a Node node's {@code io.timeout(ms).emitWithAck(...)} to the local clients it names, with
   * an ack callback each: answers how many clients it went to ({@code BROADCAST_CLIENT_COUNT},
   * JSON), then each client's ack ({@code BROADCAST_ACK}, msgpack, the ack's first argument), as
   * the adapter does.
   */
  private void broadcastWithAck(
      String ns, String channel, Map<?, ?> request, Object requestId, Map<?, ?> opts) {
    if (!(request.get("packet") instanceof Map<?, ?> packet)
        || !(packet.get("data") instanceof List<?> data)
        || data.isEmpty()
        || !(data.get(0) instanceof String event)) {
      malformed(channel);
      return;
    }
    Predicate<SocketIOClient> to =
        opts == null
            ? c -> true
            : audience(strings(opts.get("rooms")), strings(opts.get("except")));
    Object flags = opts == null ? null : opts.get("flags");
    long timeoutMs =
        flags instanceof Map<?, ?> f && f.get("timeout") instanceof Number n ? n.longValue() : -1;
    // netty-socketio times acks in whole seconds; the requester's own timeout ends its wait anyway.
    int timeout = timeoutMs <= 0 ? -1 : (int) Math.min(Integer.MAX_VALUE, (timeoutMs + 999) / 1000);
    Object[] args = data.subList(1, data.size()).toArray();
    List<SocketIOClient> targets = new ArrayList<>();
    for (SocketIOClient c : server.clients(ns)) {
      if (to.test(c)) {
        targets.add(c);
      }
    }
    Map<String, Object> count = new LinkedHashMap<>();
    count.put("type", BROADCAST_CLIENT_COUNT);
    count.put("requestId", requestId);
    count.put("clientCount", targets.size());
    respond(ns, count);
    for (SocketIOClient c : targets) {
      server.sendWithAck(
          c,
          event,
          new AckCallback<Object>(Object.class, timeout) {
            @Override
            public void onSuccess(Object result) {
              try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
                p.packMapHeader(3);
                p.packString("type");
                p.packInt(BROADCAST_ACK);
                p.packString("requestId");
                pack(p, mapper.valueToTree(requestId));
                p.packString("packet");
                pack(p, mapper.valueToTree(result));
                messages.send(responseChannel(ns), p.toByteArray());
              } catch (IOException | RuntimeException e) {
                once(
                    "ack:" + ns,
                    "a client's ack to a cluster broadcast on {} was not sent back ({})",
                    ns,
                    e.getClass().getName());
              }
            }
          },
          args);
    }
  }

  /** A socket as the adapter's REMOTE_FETCH answers it: id, handshake, rooms, data. */
  private Map<String, Object> fetched(SocketIOClient c) {
    com.corundumstudio.socketio.HandshakeData h = c.getHandshakeData();
    Map<String, Object> headers = new LinkedHashMap<>();
    for (String name : h.getHttpHeaders().names()) {
      String lower = name.toLowerCase(Locale.ROOT);
      if (!PRIVATE_HEADERS.contains(lower)) {
        headers.put(lower, String.join(", ", h.getHttpHeaders().getAll(name)));
      }
    }
    Map<String, Object> query = new LinkedHashMap<>();
    h.getUrlParams().forEach((k, v) -> query.put(k, v.isEmpty() ? "" : v.get(0)));
    Map<String, Object> auth = new LinkedHashMap<>(Values.auth(h.getAuthToken()));
    auth.remove("token"); // a credential: see PRIVATE_HEADERS
    Instant issued = h.getTime() == null ? Instant.now() : h.getTime().toInstant();
    Map<String, Object> handshake = new LinkedHashMap<>();
    handshake.put("headers", headers);
    handshake.put("time", JS_DATE.format(issued));
    handshake.put(
        "address",
        h.getAddress() == null || h.getAddress().getAddress() == null
            ? ""
            : h.getAddress().getAddress().getHostAddress());
    handshake.put("xdomain", h.isXdomain());
    handshake.put("secure", secure);
    handshake.put("issued", issued.toEpochMilli());
    handshake.put("url", h.getUrl());
    handshake.put("query", query);
    handshake.put("auth", auth);
    List<String> rooms = new ArrayList<>();
    rooms.add(c.getSessionId().toString());
    rooms.addAll(server.hostRooms(c));
    Map<String, Object> socket = new LinkedHashMap<>();
    socket.put("id", c.getSessionId().toString());
    socket.put("handshake", handshake);
    socket.put("rooms", rooms);
    socket.put("data", Map.of());
    return socket;
  }

  private static Map<String, Object> response(Object requestId, String name, Object value) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("requestId", requestId);
    if (name != null) {
      r.put(name, value);
    }
    return r;
  }

  private void respond(String ns, Map<String, Object> response) {
    byte[] body;
    try {
      body = json.writeValueAsBytes(response);
    } catch (IOException e) {
      once(
          "respond:" + ns,
          "an answer to a cluster request on {} did not encode ({})",
          ns,
          e.getClass().getName());
      return;
    }
    messages.send(responseChannel(ns), body);
  }

  // msgpack to plain Java values.

  /** Decodes one msgpack value to Map/List/String/Long/Double/Boolean/null/byte[]. */
  static Object unpack(byte[] message) throws IOException {
    try (MessageUnpacker u = MessagePack.newDefaultUnpacker(message)) {
      return plain(u.unpackValue());
    } catch (org.msgpack.core.MessagePackException e) {
      throw new IOException("not msgpack", e);
    }
  }

  private static Object plain(Value v) {
    switch (v.getValueType()) {
      case NIL:
        return null;
      case BOOLEAN:
        return v.asBooleanValue().getBoolean();
      case INTEGER:
        if (v.asIntegerValue().isInLongRange()) {
          return v.asIntegerValue().toLong();
        }
        BigInteger big = v.asIntegerValue().toBigInteger();
        return big.doubleValue();
      case FLOAT:
        return v.asFloatValue().toDouble();
      case STRING:
        return v.asStringValue().asString();
      case BINARY:
        return v.asBinaryValue().asByteArray();
      case ARRAY:
        {
          ArrayValue a = v.asArrayValue();
          List<Object> out = new ArrayList<>(a.size());
          for (Value e : a) {
            out.add(plain(e));
          }
          return out;
        }
      case MAP:
        {
          MapValue m = v.asMapValue();
          Map<String, Object> out = new LinkedHashMap<>();
          for (Map.Entry<Value, Value> e : m.entrySet()) {
            Value k = e.getKey();
            out.put(
                k.isStringValue() ? k.asStringValue().asString() : k.toJson(), plain(e.getValue()));
          }
          return out;
        }
      case EXTENSION:
        {
          // notepack sends a JavaScript Date as a msgpack timestamp: the ISO string JSON would
          // carry.
          ExtensionValue x = v.asExtensionValue();
          return x.isTimestampValue() ? JS_JSON.format(x.asTimestampValue().toInstant()) : null;
        }
      default:
        return null;
    }
  }

  private void malformed(String channel) {
    once("malformed:" + channel, "ignored a malformed cluster message on {}", channel);
  }

  /**
   * Logs at WARN the first time per {@code what}, at DEBUG after: a chatty peer cannot flood the
   * log.
   */
  private void once(String what, String format, Object... args) {
    if (warned.add(what)) {
      LOG.warn(format, args);
    } else {
      LOG.debug(format, args);
    }
  }
}
