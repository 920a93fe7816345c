package dev.ipc.socketio;

import static dev.ipc.socketio.Processes.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.Transports;
import dev.ipc.core.testing.Interop;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** socket.io-client v4 (Node) against a real server: src/test/js. */
@Timeout(120)
@Interop
class SocketIoNodeClientTest {
  private Server server;

  private String start() {
    return start(false);
  }

  private String start(boolean compression) {
    return start(compression, SocketIoTransport.DEFAULT_PING_INTERVAL);
  }

  private String start(boolean compression, Duration pingInterval) {
    server =
        Transports.builder()
            .services(Reference.services())
            .transport(
                ArticleEvents.register(SocketIoTransport.builder().host("127.0.0.1").port(0))
                    .compression(compression)
                    .pingInterval(pingInterval)
                    .build())
            .start();
    return "http://127.0.0.1:" + server.port("socketio");
  }

  @AfterEach
  void close() {
    if (server != null) {
      server.close();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"polling", "websocket", "default"})
  void scenarios_everyEventAndBroadcast(String transports) throws Exception {
    assertScenarios(Processes.node("scenarios.js", start(), transports), transports);
  }

  @ParameterizedTest
  @ValueSource(strings = {"polling", "websocket", "default"})
  void scenarios_withCompression(String transports) throws Exception {
    // Compression wraps the frames and bodies the binary fixes rewrite; they must see them plain.
    assertScenarios(Processes.node("scenarios.js", start(true), transports), transports);
  }

  private static void assertScenarios(JsonNode r, String transports) throws Exception {
    assertThat(r.get("connected").asBoolean()).isTrue();
    assertThat(r.get("eating")).isEqualTo(json("[{\"feeling\":true}]"));
    assertThat(r.get("watchMovie")).isEqualTo(json("[{\"feeling\":true}]"));
    assertThat(r.get("list"))
        .isEqualTo(
            json(
                "[[{\"id\":1,\"name\":\"task1\"},{\"id\":2,\"name\":\"task2\"},{\"id\":3,\"name\":\"task3\"}]]"));
    assertThat(r.get("get")).isEqualTo(json("[{\"id\":2,\"name\":\"task2\"}]"));
    assertThat(r.get("missing").get(0).get("error").get("code").asText()).isEqualTo("NOT_FOUND");
    assertThat(r.get("missing").get(0).get("error").get("message").asText()).contains("42");
    assertThat(r.get("person"))
        .isEqualTo(
            json(
                "[{\"name\":\"Rootkit\",\"age\":99,\"sex\":true,"
                    + "\"hobby\":[\"Coding\",\"Badminton\",\"Billiards\",\"Reading\",\"Guitar\"]}]"));
    assertThat(r.get("blank").get(0).get("error").get("code").asText())
        .isEqualTo("INVALID_ARGUMENT");
    assertThat(r.get("blank").get(0).get("error").get("message").asText()).contains("food");
    assertThat(r.get("unknown").get(0).get("error").get("code").asText())
        .isEqualTo("UNIMPLEMENTED");
    assertThat(r.get("wrongShape").get(0).get("error").get("code").asText())
        .isEqualTo("INVALID_ARGUMENT");
    assertThat(r.get("wrongType").get(0).get("error").get("code").asText())
        .isEqualTo("INVALID_ARGUMENT");

    assertThat(r.get("put")).isEqualTo(json("[{\"id\":5,\"name\":\"task5\"},{\"created\":true}]"));
    assertThat(r.get("savedA")).isEqualTo(json("[{\"id\":5,\"name\":\"task5\"}]"));
    assertThat(r.get("savedB")).isEqualTo(json("[{\"id\":5,\"name\":\"task5\"}]"));
    assertThat(r.get("replaced")).isEqualTo(json("[{\"id\":5,\"name\":\"task five\"}]"));

    assertThat(r.get("messageA")).isEqualTo(json("[{\"a\":\"messagetest\"}]"));
    assertThat(r.get("messageB")).isEqualTo(json("[{\"a\":\"messagetest\"}]"));
    assertThat(r.get("loginA")).isEqualTo(json("[{\"a\":\"logintest\"}]"));
    assertThat(r.get("loginB")).isEqualTo(json("[{\"a\":\"logintest\"}]"));
    assertThat(r.get("resend")).isEqualTo(json("[\"resend use msg channel 2 send data\"]"));
    assertThat(r.get("reply")).isEqualTo(json("[]"));

    assertThat(r.get("binaryIsBuffer").asBoolean())
        .as("binary came back as a Buffer: %s", r.get("binary"))
        .isTrue();
    assertThat(r.get("binary").asText()).isEqualTo("00010203" + "04faff");
    assertThat(r.get("afterBadInput")).isEqualTo(json("[{\"feeling\":true}]"));
    assertThat(r.get("transport").asText())
        .isEqualTo(transports.equals("polling") ? "polling" : "websocket");
    assertThat(r.get("upgraded").asBoolean()).isEqualTo(transports.equals("default"));
    assertThat(r.get("disconnect").asText()).isEqualTo("io client disconnect");
  }

  @ParameterizedTest
  @ValueSource(strings = {"polling", "websocket", "default"})
  void library_everyTypeInAcks(String transports) throws Exception {
    server = Libraries.start();

    LibraryAcks.assertAcks(
        Processes.node("library.js", "http://127.0.0.1:" + server.port("socketio"), transports));
  }

  @Test
  void defaultTransports_upgradeToWebSocket() throws Exception {
    // A stalled upgrade waits for the next ping; with pings this rare it outlasts the script's 60 s
    // limit, so a stall fails the test without any timing threshold.
    JsonNode r = Processes.node("upgrade.js", start(false, Duration.ofMinutes(10)));

    assertThat(r.get("upgraded").asBoolean()).isTrue();
    assertThat(r.get("transport").asText()).isEqualTo("websocket");
    assertThat(r.get("answer")).isEqualTo(json("{\"feeling\":true}"));
  }

  @Test
  void fiveHundredConnections_eachCallSucceeds() throws Exception {
    JsonNode r = Processes.node("many.js", start(), 500);

    assertThat(r.get("firstFailure").isNull())
        .as("first failure: %s", r.get("firstFailure"))
        .isTrue();
    assertThat(r.get("ok").asInt()).isEqualTo(500);
  }

  /**
   * The host API as a Socket.IO user drives it from socket.io-client, over each transport alone: a
   * custom namespace, rooms (join, leave, to a room, to all but the sender, to all), acks with many
   * arguments, binary arguments both ways.
   */
  @ParameterizedTest
  @ValueSource(strings = {"polling", "websocket"})
  void hostApi_namespaceRoomsMultiArgumentAcksAndBinary(String transports) throws Exception {
    server =
        Transports.builder()
            .services(Reference.services())
            .transport(
                SocketIoTransport.builder()
                    .host("127.0.0.1")
                    .port(0)
                    .onConnect("/chat", s -> s.send("welcome", s.namespace()))
                    .on("/chat", "echo", (s, args, ack) -> ack.send(args.toArray()))
                    .on(
                        "/chat",
                        "bytes",
                        (s, args, ack) -> ack.send(args.get(0), new byte[] {4, 2}, "and text"))
                    .on(
                        "/chat",
                        "join",
                        (s, args, ack) -> {
                          s.join((String) args.get(0));
                          ack.send(java.util.List.copyOf(s.rooms()));
                        })
                    .on(
                        "/chat",
                        "leave",
                        (s, args, ack) -> {
                          s.leave((String) args.get(0));
                          ack.send(java.util.List.copyOf(s.rooms()));
                        })
                    .on(
                        "/chat",
                        "to-room",
                        (s, args, ack) -> s.sendToRoom((String) args.get(0), "room", args.get(1)))
                    .on(
                        "/chat",
                        "to-others",
                        (s, args, ack) -> s.broadcastToOthers("others", args.get(0)))
                    .on("/chat", "to-all", (s, args, ack) -> s.broadcast("all", args.get(0)))
                    .build())
            .start();

    JsonNode r =
        Processes.node("host.js", "http://127.0.0.1:" + server.port("socketio"), transports);

    assertThat(r.get("namespace").asText()).isEqualTo("/chat");
    assertThat(r.get("echo")).isEqualTo(json("[1,\"two\",{\"three\":[true]},{\"bin\":[4,0,1]}]"));
    assertThat(r.get("bytes")).isEqualTo(json("[{\"bin\":[4,9]},{\"bin\":[4,2]},\"and text\"]"));
    assertThat(r.get("joinA")).isEqualTo(json("[[\"r\"]]"));
    assertThat(r.get("joinB")).isEqualTo(json("[[\"r\"]]"));
    assertThat(r.get("leaveA")).isEqualTo(json("[[]]"));
    JsonNode logs = r.get("logs");
    // Each client's events in order: the room's while in it, the others' but not its own, all of
    // /chat's.
    assertThat(logs.get("a")).isEqualTo(json("[[\"welcome\",\"/chat\"],[\"room\",1],[\"all\",5]]"));
    assertThat(logs.get("b"))
        .isEqualTo(
            json(
                "[[\"welcome\",\"/chat\"],[\"room\",1],[\"room\",2],[\"room\",3],[\"others\",4],[\"all\",5]]"));
    assertThat(logs.get("c"))
        .isEqualTo(json("[[\"welcome\",\"/chat\"],[\"others\",4],[\"all\",5]]"));
    assertThat(logs.get("main"))
        .as("the main namespace hears nothing of /chat")
        .isEqualTo(json("[]"));
  }
}
