package dev.ipc.socketio;

import static dev.ipc.socketio.Processes.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.Transports;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** socket.io-client v4 (Node) against a real server: src/test/js. */
@Timeout(120)
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
        .isEqualTo(json("[[{\"id\":1,\"name\":\"task1\"},{\"id\":2,\"name\":\"task2\"},{\"id\":3,\"name\":\"task3\"}]]"));
    assertThat(r.get("get")).isEqualTo(json("[{\"id\":2,\"name\":\"task2\"}]"));
    assertThat(r.get("missing").get(0).get("error").get("code").asText()).isEqualTo("NOT_FOUND");
    assertThat(r.get("missing").get(0).get("error").get("message").asText()).contains("42");
    assertThat(r.get("person"))
        .isEqualTo(
            json(
                "[{\"name\":\"Rootkit\",\"age\":99,\"sex\":true,"
                    + "\"hobby\":[\"Coding\",\"Badminton\",\"Billiards\",\"Reading\",\"Guitar\"]}]"));
    assertThat(r.get("blank").get(0).get("error").get("code").asText()).isEqualTo("INVALID_ARGUMENT");
    assertThat(r.get("blank").get(0).get("error").get("message").asText()).contains("food");
    assertThat(r.get("unknown").get(0).get("error").get("code").asText()).isEqualTo("UNIMPLEMENTED");
    assertThat(r.get("wrongShape").get(0).get("error").get("code").asText()).isEqualTo("INVALID_ARGUMENT");
    assertThat(r.get("wrongType").get(0).get("error").get("code").asText()).isEqualTo("INVALID_ARGUMENT");

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

    assertThat(r.get("binaryIsBuffer").asBoolean()).as("binary came back as a Buffer: %s", r.get("binary")).isTrue();
    assertThat(r.get("binary").asText()).isEqualTo("00010203" + "04faff");
    assertThat(r.get("afterBadInput")).isEqualTo(json("[{\"feeling\":true}]"));
    assertThat(r.get("transport").asText()).isEqualTo(transports.equals("polling") ? "polling" : "websocket");
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

    assertThat(r.get("firstFailure").isNull()).as("first failure: %s", r.get("firstFailure")).isTrue();
    assertThat(r.get("ok").asInt()).isEqualTo(500);
  }
}
