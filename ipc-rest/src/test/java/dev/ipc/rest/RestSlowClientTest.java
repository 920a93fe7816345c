package dev.ipc.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.Transports;
import dev.ipc.core.spi.Transport;
import dev.ipc.http.testing.RawHttp;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The slow-client limits on a real REST server, set on the builder and as URI options (the same names as
 * GraphQL's): a trickled request head is cut at {@code requestTimeout}, a client that never reads is
 * disconnected after {@code writeTimeout}, {@code maxConnections} and {@code maxConnectionsPerPeer} refuse
 * one connection too many; other clients are served throughout. Outcomes only, no timings.
 */
@Timeout(60)
class RestSlowClientTest {
  private static final String GET_TASKS = "GET /tasks HTTP/1.1\r\nHost: x\r\n\r\n";

  private static Server serve(Transport transport) {
    return Transports.builder().services(Reference.services()).transport(transport).start();
  }

  private static Server serve(String uri) {
    return Transports.builder().services(Reference.services()).transport(uri).start();
  }

  @Test
  void requestTimeout_cutsATrickledRequestHead_onTheBuilderAndAsAUriOption() throws Exception {
    try (Server server =
        serve(
            RestTransport.builder()
                .host("127.0.0.1")
                .port(0)
                .idleTimeout(Duration.ofMinutes(10))
                .requestTimeout(Duration.ofSeconds(1))
                .build())) {
      assertTrickledHeadCut(server.port("rest"));
    }
    try (Server server = serve("rest://127.0.0.1:0?idleTimeout=10m&requestTimeout=1s")) {
      assertTrickledHeadCut(server.port("rest"));
    }
  }

  @Test
  @Timeout(25) // a hang guard far above the 1 s set here, below twice the 30 s default it must not use
  void writeTimeout_disconnectsAClientThatNeverReads_onTheBuilderAndAsAUriOption() throws Exception {
    try (Server server =
        serve(RestTransport.builder().host("127.0.0.1").port(0).writeTimeout(Duration.ofSeconds(1)).build())) {
      assertNeverReaderDisconnected(server.port("rest"));
    }
    try (Server server = serve("rest://127.0.0.1:0?writeTimeout=1s")) {
      assertNeverReaderDisconnected(server.port("rest"));
    }
  }

  @Test
  void maxConnections_refusesOneTooMany_onTheBuilderAndAsAUriOption() throws Exception {
    try (Server server = serve(RestTransport.builder().host("127.0.0.1").port(0).maxConnections(1).build())) {
      assertOneTooMany(server.port("rest"), InetAddress.getByName("127.0.0.2"), "too many connections (limit 1)");
    }
    try (Server server = serve("rest://127.0.0.1:0?maxConnections=1")) {
      assertOneTooMany(server.port("rest"), InetAddress.getByName("127.0.0.2"), "too many connections (limit 1)");
    }
  }

  @Test
  void maxConnectionsPerPeer_refusesOneTooManyFromAnAddress_servesOthers_onTheBuilderAndAsAUriOption()
      throws Exception {
    try (Server server =
        serve(RestTransport.builder().host("127.0.0.1").port(0).maxConnectionsPerPeer(1).build())) {
      assertOneTooMany(server.port("rest"), InetAddress.getByName("127.0.0.1"), "from your address (limit 1)");
      assertServedFrom(InetAddress.getByName("127.0.0.2"), server.port("rest"));
    }
    try (Server server = serve("rest://127.0.0.1:0?maxConnectionsPerPeer=1")) {
      assertOneTooMany(server.port("rest"), InetAddress.getByName("127.0.0.1"), "from your address (limit 1)");
      assertServedFrom(InetAddress.getByName("127.0.0.2"), server.port("rest"));
    }
  }

  @Test
  void settings_refuseNonsense_andUnknownOptionsNameThem() {
    assertThatThrownBy(() -> RestTransport.builder().maxConnections(0)).hasMessageContaining("maxConnections: 0");
    assertThatThrownBy(() -> RestTransport.builder().maxConnectionsPerPeer(-1))
        .hasMessageContaining("maxConnectionsPerPeer: -1");
    assertThatThrownBy(() -> RestTransport.builder().writeTimeout(Duration.ZERO)).hasMessageContaining("writeTimeout");
    assertThatThrownBy(() -> Transports.transport("rest://127.0.0.1:0?maxConnectionsPerPeer=none"))
        .hasMessageContaining("maxConnectionsPerPeer: none");
    assertThatThrownBy(() -> Transports.transport("rest://127.0.0.1:0?perPeer=1"))
        .hasMessageContaining("maxConnectionsPerPeer")
        .hasMessageContaining("writeTimeout");
  }

  /** Holds one connection from 127.0.0.1; one more from {@code second} is refused with {@code detail}. */
  private static void assertOneTooMany(int port, InetAddress second, String detail) throws Exception {
    try (RawHttp first = from(InetAddress.getByName("127.0.0.1"), port)) {
      assertThat(first.send(GET_TASKS).read().status()).isEqualTo(200);
      try (RawHttp more = from(second, port)) {
        RawHttp.Response refused = more.send(GET_TASKS).read();
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.header("connection")).isEqualTo("close");
        assertThat(refused.body()).contains("\"code\":\"UNAVAILABLE\"", detail);
        assertThat(more.closedByServer()).isTrue();
      }
      assertThat(first.send(GET_TASKS).read().status()).isEqualTo(200);
    }
  }

  private static void assertServedFrom(InetAddress local, int port) throws Exception {
    try (RawHttp a = from(local, port)) {
      assertThat(a.send(GET_TASKS).read().status()).isEqualTo(200);
    }
  }

  /** Trickles a 300-byte head a byte a second: it is cut (408) long before it is whole; others are served. */
  static void assertTrickledHeadCut(int port) throws Exception {
    String head = "GET /tasks HTTP/1.1\r\nHost: x\r\nX-Pad: " + "a".repeat(260) + "\r\n\r\n";
    Socket socket = new Socket("127.0.0.1", port);
    try (RawHttp slow = new RawHttp(socket)) {
      AtomicBoolean answered = new AtomicBoolean();
      CompletableFuture<Integer> sent =
          CompletableFuture.supplyAsync(
              () -> {
                int n = 0;
                try {
                  OutputStream out = socket.getOutputStream();
                  for (byte b : head.getBytes(StandardCharsets.US_ASCII)) {
                    if (answered.get()) {
                      break;
                    }
                    out.write(b);
                    out.flush();
                    n++;
                    Thread.sleep(1000);
                  }
                } catch (IOException e) {
                  // closed by the server
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
                return n;
              });
      try (RawHttp other = new RawHttp(port)) {
        assertThat(other.send(GET_TASKS).read().status()).isEqualTo(200);
      }
      RawHttp.Response cut = slow.read();
      answered.set(true);
      assertThat(cut.status()).isEqualTo(408);
      assertThat(slow.closedByServer()).isTrue();
      assertThat(sent.get(30, TimeUnit.SECONDS)).isLessThan(head.length());
    }
  }

  /**
   * Pipelines requests for the OpenAPI document (several KiB each) from a socket with a small receive
   * window, never reading an answer: the server closes the connection (the client's writes then fail),
   * and serves another client meanwhile.
   */
  private static void assertNeverReaderDisconnected(int port) throws Exception {
    byte[] request = "GET /openapi.json HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    try (Socket greedy = new Socket()) {
      greedy.setReceiveBufferSize(4096);
      greedy.connect(new InetSocketAddress("127.0.0.1", port));
      OutputStream out = greedy.getOutputStream();
      out.write(request);
      out.flush();
      try (RawHttp other = new RawHttp(port)) {
        assertThat(other.send("GET /tasks/1 HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(200);
      }
      // More and more requests, never reading, until the server has closed the connection: a write then
      // fails (once the server stops reading, a write blocks until that close). The class @Timeout
      // guards against it never closing.
      boolean closed = false;
      while (!closed) {
        try {
          out.write(request);
          out.flush();
        } catch (IOException e) {
          closed = true;
        }
      }
      try (RawHttp other = new RawHttp(port)) {
        assertThat(other.send("GET /tasks/1 HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(200);
      }
    }
  }

  private static RawHttp from(InetAddress local, int port) throws IOException {
    Socket s = new Socket();
    s.bind(new InetSocketAddress(local, 0));
    s.connect(new InetSocketAddress("127.0.0.1", port));
    return new RawHttp(s);
  }

}
