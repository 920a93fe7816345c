package dev.ipc.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipc.core.Server;
import dev.ipc.core.testing.Interop;
import dev.ipc.redis.testing.RedisProcess;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's HAProxy in front of two example nodes' Socket.IO ports, with the configuration the
 * README shows. Socket.IO long-polling is a series of HTTP requests that must all reach the node
 * holding the session; python-socketio over polling only shows whether they do: with stickiness (by
 * source address, or by a cookie HAProxy inserts) it completes the article's scenario, and without
 * it (plain round robin) it cannot even connect.
 */
@Interop
@Timeout(240)
class HaproxyStickySessionsTest {
  /** The README's configuration; {@code %s} is the backend section's balancing lines. */
  static final String CONFIG =
      String.join(
          "\n",
          "global",
          // One line per request on stdout (the test reads which node answered what).
          "    log stdout format raw local0 info",
          "",
          "defaults",
          "    mode http",
          "    log global",
          "    option httplog",
          "    timeout connect 5s",
          // Longer than Socket.IO's ping interval (25 s): a long-poll GET waits that long for data.
          "    timeout client 60s",
          "    timeout server 60s",
          // An upgraded WebSocket is a tunnel: idle between pings, it must not be cut.
          "    timeout tunnel 1h",
          "",
          "frontend socketio",
          "    bind 127.0.0.1:%d",
          "    default_backend nodes",
          "",
          "backend nodes",
          "%s",
          "    server node1 127.0.0.1:%d%s",
          "    server node2 127.0.0.1:%d%s",
          "");

  @Test
  void balanceSource_pythonPollingOnly_completesTheArticleScenario(@TempDir Path dir)
      throws Exception {
    articleScenarioThroughHaproxy(dir, "    balance source\n    hash-type consistent", "", "");
  }

  @Test
  void insertedCookie_pythonPollingOnly_completesTheArticleScenario(@TempDir Path dir)
      throws Exception {
    // requests (python-socketio's sync client) keeps the cookie for 127.0.0.1; aiohttp's cookie jar
    // refuses cookies from an IP address unless told to, which is why the AsyncClient loses it
    // there.
    articleScenarioThroughHaproxy(
        dir,
        "    balance roundrobin\n    cookie ipcnode insert indirect nocache",
        " cookie node1",
        " cookie node2");
  }

  @Test
  void roundRobinWithoutStickiness_pythonPollingCannotConnect(@TempDir Path dir) throws Exception {
    try (RedisProcess redis = new RedisProcess();
        Server a = ExampleServer.start(socketIoNode(redis.uri()));
        Server b = ExampleServer.start(socketIoNode(redis.uri()));
        Haproxy proxy = Haproxy.start(dir, "    balance roundrobin", a, "", b, "");
        EventClient python =
            EventClient.python("python-socketio polling, round robin", proxy.url(), "polling")) {
      // The handshake lands on one node, the next request on the other, which knows no such
      // session.
      python.awaitConnectFailed();
      // ... as HAProxy's log shows: a request carrying the session id answered 400 by a node.
      assertThat(proxy.log().lines())
          .as("haproxy's log")
          .anyMatch(
              line ->
                  line.contains(" nodes/node") && line.contains(" 400 ") && line.contains("sid="));
    }
  }

  private static void articleScenarioThroughHaproxy(
      Path dir, String balance, String cookie1, String cookie2) throws Exception {
    try (RedisProcess redis = new RedisProcess();
        Server a = ExampleServer.start(socketIoNode(redis.uri()));
        Server b = ExampleServer.start(socketIoNode(redis.uri()));
        Haproxy proxy = Haproxy.start(dir, balance, a, cookie1, b, cookie2);
        EventClient python =
            EventClient.python("python-socketio polling via haproxy", proxy.url(), "polling")) {
      assertThat(python.awaitConnected()).isEqualTo("polling");
      // The article's Python client: `message` (with a string, then an object) and `msg`.
      python.emit("message", "\"Hello guys. \"");
      python.awaitEvent("message", "messagetest");
      python.emit("message", "{\"msg\": \"use message channel 2 send data\"}");
      python.emit("msg", "\"use msg channel 2 send data\"");
      python.awaitEvent("message", "resend use msg channel 2 send data");
      python.emit("login", "{\"user\": \"me\"}");
      python.awaitEvent("login", "logintest");
      python.emit("reply", "\"hi\"");
      python.awaitEvent("reply", "[]");
      // Service calls answered through acks, on the node the session lives on.
      assertThat(python.call("dating:eating", "{\"food\": \"steak\"}"))
          .contains("\"feeling\": true");
      assertThat(python.call("task:put", "{\"id\": 301, \"name\": \"via haproxy\"}"))
          .contains("via haproxy");
      assertThat(python.call("task:get", "{\"id\": 301}")).contains("via haproxy");
      assertThat(python.call("person:get", "{}")).contains("Rootkit");
      // Every request of the session reached the node that holds it.
      assertThat(proxy.log().lines().filter(line -> line.contains("sid=")))
          .as("haproxy's log")
          .isNotEmpty()
          .noneMatch(line -> line.contains(" 400 "));
    }
  }

  private static ExampleServer.Options socketIoNode(String redis) {
    return LocalOptions.parse(
        "--grpc-port", "off", "--rest-port", "off", "--graphql-port", "off", "--redis", redis);
  }

  /** haproxy in the foreground ({@code -db}) on a free port, with a generated configuration. */
  static final class Haproxy implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path log;

    private Haproxy(Process process, int port, Path log) {
      this.process = process;
      this.port = port;
      this.log = log;
    }

    static Haproxy start(
        Path dir, String balance, Server a, String cookieA, Server b, String cookieB)
        throws IOException, InterruptedException {
      int port;
      try (ServerSocket free = new ServerSocket(0)) {
        port = free.getLocalPort();
      }
      Path config = dir.resolve("haproxy.cfg");
      Files.writeString(
          config,
          String.format(
              CONFIG, port, balance, a.port("socketio"), cookieA, b.port("socketio"), cookieB));
      Path log = dir.resolve("haproxy.log");
      Process process =
          new ProcessBuilder("/usr/sbin/haproxy", "-db", "-f", config.toString())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      Haproxy proxy = new Haproxy(process, port, log);
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!proxy.accepts()) {
        assertThat(process.isAlive()).as("haproxy running: %s", Files.readString(log)).isTrue();
        assertThat(System.nanoTime()).as("haproxy listens within 30 s").isLessThan(end);
        Thread.sleep(50);
      }
      return proxy;
    }

    private boolean accepts() {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
        return true;
      } catch (IOException e) {
        return false;
      }
    }

    /** What haproxy printed: a line per request, naming the server that answered and its status. */
    String log() throws IOException {
      return Files.readString(log);
    }

    String url() {
      return "http://127.0.0.1:" + port;
    }

    @Override
    public void close() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }
}
