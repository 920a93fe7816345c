package dev.ipc.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.Transports;
import dev.ipc.core.testing.Chromium;
import dev.ipc.core.testing.Interop;
import dev.ipc.socketio.SocketIoTransport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real headless Chromium page on another origin, with socket.io-client v4 from npm (served by the
 * page's own origin, nothing fetched from the network): it cannot connect to a Socket.IO server
 * that does not allow its origin, over polling or WebSocket, and connects and calls once the origin
 * is on {@code cors(...)}.
 */
@Timeout(120)
@Interop
class BrowserOriginTest {
  private static final Path CLIENT =
      Path.of("interop/js/node_modules/socket.io-client/dist/socket.io.min.js");

  private HttpServer page;
  private String pageOrigin;

  @BeforeEach
  void servePage() throws Exception {
    byte[] client = Files.readAllBytes(CLIENT);
    byte[] html =
        "<!doctype html><title>elsewhere</title><script src=\"/socket.io.min.js\"></script>"
            .getBytes(StandardCharsets.UTF_8);
    page = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    page.createContext(
        "/",
        exchange -> {
          boolean script = exchange.getRequestURI().getPath().equals("/socket.io.min.js");
          byte[] body = script ? client : html;
          exchange
              .getResponseHeaders()
              .set("Content-Type", script ? "text/javascript" : "text/html");
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    page.start();
    pageOrigin = "http://127.0.0.1:" + page.getAddress().getPort();
  }

  @AfterEach
  void stopPage() {
    page.stop(0);
  }

  /** Connects from the page and asks for task 2; resolves with what happened. */
  private static JsonNode tryFromPage(Chromium chromium, int port, String transport)
      throws Exception {
    return chromium.evaluate(
        "new Promise((resolve) => {"
            + " const s = io('http://localhost:"
            + port
            + "', {transports: ['"
            + transport
            + "'],"
            + "   reconnection: false, timeout: 5000, forceNew: true});"
            + " s.on('connect', () => s.emit('task:get', {id: 2}, (answer) => { s.close();"
            + "   resolve({connected: true, answer: answer}); }));"
            + " s.on('connect_error', (e) => resolve({connected: false, error: String(e && e.message)}));"
            + "})");
  }

  private static Server serve(SocketIoTransport.Builder socketIo) {
    return Transports.builder()
        .services(Reference.services())
        .transport(socketIo.host("127.0.0.1").port(0).build())
        .start();
  }

  @Test
  void aPageOnAnotherOriginCannotConnectByDefault() throws Exception {
    try (Server server = serve(SocketIoTransport.builder());
        Chromium chromium = new Chromium()) {
      chromium.open(pageOrigin + "/");
      for (String transport : new String[] {"polling", "websocket"}) {
        JsonNode r = tryFromPage(chromium, server.port("socketio"), transport);
        assertThat(r.path("connected").asBoolean()).as(transport + ": " + r).isFalse();
      }
    }
  }

  @Test
  void aPageWhoseOriginIsAllowedConnectsAndCalls() throws Exception {
    try (Server server = serve(SocketIoTransport.builder().cors(pageOrigin));
        Chromium chromium = new Chromium()) {
      chromium.open(pageOrigin + "/");
      for (String transport : new String[] {"polling", "websocket"}) {
        JsonNode r = tryFromPage(chromium, server.port("socketio"), transport);
        assertThat(r.path("connected").asBoolean()).as(transport + ": " + r).isTrue();
        assertThat(r.path("answer").toString()).as(transport).contains("\"name\":\"task2\"");
      }
    }
  }
}
