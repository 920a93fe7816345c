package dev.ipc.socketio;

import static dev.ipc.socketio.Processes.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.Transports;
import dev.ipc.core.testing.Interop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** python-socketio 5 (Debian's python3-socketio) against a real server: src/test/python. */
@Timeout(120)
@Interop
class SocketIoPythonClientTest {
  private Server server;

  private String start() {
    server =
        Transports.builder()
            .services(Reference.services())
            .transport(
                ArticleEvents.register(SocketIoTransport.builder().host("127.0.0.1").port(0))
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
    JsonNode r = Processes.python("scenarios.py", start(), transports);

    assertThat(r.get("connected").asBoolean()).isTrue();
    assertThat(r.get("eating")).isEqualTo(json("{\"feeling\":true}"));
    assertThat(r.get("watchMovie")).isEqualTo(json("{\"feeling\":true}"));
    assertThat(r.get("list"))
        .isEqualTo(
            json(
                "[{\"id\":1,\"name\":\"task1\"},{\"id\":2,\"name\":\"task2\"},{\"id\":3,\"name\":\"task3\"}]"));
    assertThat(r.get("get")).isEqualTo(json("{\"id\":2,\"name\":\"task2\"}"));
    assertThat(r.get("missing").get("error").get("code").asText()).isEqualTo("NOT_FOUND");
    assertThat(r.get("missing").get("error").get("message").asText()).contains("42");
    assertThat(r.get("person"))
        .isEqualTo(
            json(
                "{\"name\":\"Rootkit\",\"age\":99,\"sex\":true,"
                    + "\"hobby\":[\"Coding\",\"Badminton\",\"Billiards\",\"Reading\",\"Guitar\"]}"));
    assertThat(r.get("blank").get("error").get("code").asText()).isEqualTo("INVALID_ARGUMENT");
    assertThat(r.get("unknown").get("error").get("code").asText()).isEqualTo("UNIMPLEMENTED");
    assertThat(r.get("wrongShape").get("error").get("code").asText()).isEqualTo("INVALID_ARGUMENT");
    assertThat(r.get("wrongType").get("error").get("code").asText()).isEqualTo("INVALID_ARGUMENT");

    // python-socketio's call() returns a tuple when the ack has two arguments.
    assertThat(r.get("put")).isEqualTo(json("[{\"id\":6,\"name\":\"task6\"},{\"created\":true}]"));
    assertThat(r.get("savedA")).isEqualTo(json("[{\"id\":6,\"name\":\"task6\"}]"));
    assertThat(r.get("savedB")).isEqualTo(json("[{\"id\":6,\"name\":\"task6\"}]"));

    assertThat(r.get("messageA")).isEqualTo(json("[{\"a\":\"messagetest\"}]"));
    assertThat(r.get("messageB")).isEqualTo(json("[{\"a\":\"messagetest\"}]"));
    assertThat(r.get("loginA")).isEqualTo(json("[{\"a\":\"logintest\"}]"));
    assertThat(r.get("loginB")).isEqualTo(json("[{\"a\":\"logintest\"}]"));
    assertThat(r.get("resend")).isEqualTo(json("[\"resend use msg channel 2 send data\"]"));
    assertThat(r.get("reply")).isEqualTo(json("[]"));

    assertThat(r.get("binary")).isEqualTo(json("{\"bytes\":\"0001020304faff\"}"));
    assertThat(r.get("afterBadInput")).isEqualTo(json("{\"feeling\":true}"));
    assertThat(r.get("transport").asText())
        .isEqualTo(transports.equals("polling") ? "polling" : "websocket");
    assertThat(r.get("disconnected").asBoolean()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"polling", "websocket", "default"})
  void library_everyTypeInAcks(String transports) throws Exception {
    server = Libraries.start();

    LibraryAcks.assertAcks(
        Processes.python("library.py", "http://127.0.0.1:" + server.port("socketio"), transports));
  }

  @Test
  void pollingOnly_connectsCallsAndHearsBroadcasts() throws Exception {
    JsonNode r = Processes.python("polling_only.py", start());

    assertThat(r.get("transport").asText()).isEqualTo("polling");
    assertThat(r.get("answer")).isEqualTo(json("{\"feeling\":true}"));
    assertThat(r.get("broadcast")).isEqualTo(json("{\"a\":\"messagetest\"}"));
  }
}
