package dev.ipc.http.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.Transports;
import dev.ipc.core.spi.Transport;
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
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The slow-client limits on a real server of an HTTP adapter, set on its builder and as URI options
 * (the same names on every HTTP adapter): a trickled request head is cut at {@code requestTimeout},
 * a client that never reads is disconnected after {@code writeTimeout}, {@code maxConnections} and
 * {@code maxConnectionsPerPeer} refuse one connection too many; other clients are served
 * throughout. Outcomes only, no timings. An adapter's test extends this and says its scheme, how
 * its builder takes {@link Settings}, and which requests its reference server answers.
 */
@Timeout(60)
public abstract class AbstractSlowClientTest {

  /** The slow-client settings these tests use; null leaves the builder's default. */
  public record Settings(
      Duration idleTimeout,
      Duration requestTimeout,
      Duration writeTimeout,
      Integer maxConnections,
      Integer maxConnectionsPerPeer) {
    /** No setting: every one at the builder's default. */
    public static final Settings DEFAULTS = new Settings(null, null, null, null, null);

    public Settings idleTimeout(Duration d) {
      return new Settings(d, requestTimeout, writeTimeout, maxConnections, maxConnectionsPerPeer);
    }

    public Settings requestTimeout(Duration d) {
      return new Settings(idleTimeout, d, writeTimeout, maxConnections, maxConnectionsPerPeer);
    }

    public Settings writeTimeout(Duration d) {
      return new Settings(idleTimeout, requestTimeout, d, maxConnections, maxConnectionsPerPeer);
    }

    public Settings maxConnections(int n) {
      return new Settings(idleTimeout, requestTimeout, writeTimeout, n, maxConnectionsPerPeer);
    }

    public Settings maxConnectionsPerPeer(int n) {
      return new Settings(idleTimeout, requestTimeout, writeTimeout, maxConnections, n);
    }

    /**
     * Passes each setting that is not null to its setter, in the order of the parameters; a
     * builder's setters fit as bound method references ({@code builder::idleTimeout}).
     */
    public void applyTo(
        Consumer<Duration> idleTimeout,
        Consumer<Duration> requestTimeout,
        Consumer<Duration> writeTimeout,
        IntConsumer maxConnections,
        IntConsumer maxConnectionsPerPeer) {
      if (this.idleTimeout != null) {
        idleTimeout.accept(this.idleTimeout);
      }
      if (this.requestTimeout != null) {
        requestTimeout.accept(this.requestTimeout);
      }
      if (this.writeTimeout != null) {
        writeTimeout.accept(this.writeTimeout);
      }
      if (this.maxConnections != null) {
        maxConnections.accept(this.maxConnections);
      }
      if (this.maxConnectionsPerPeer != null) {
        maxConnectionsPerPeer.accept(this.maxConnectionsPerPeer);
      }
    }
  }

  private final String scheme;
  private final String smallTarget;
  private final String otherSmallTarget;
  private final String largeDocumentTarget;

  /**
   * @param scheme the adapter's URI scheme, also the name its server's port goes by: {@code rest},
   *     say
   * @param smallTarget the target of a small GET the reference server answers with 200, {@code
   *     /tasks} say; the trickled request head is this GET with a padding header
   * @param otherSmallTarget the target of another small GET answered with 200, {@code /tasks/1} say
   * @param largeDocumentTarget the target of a GET answered with a document of a few KiB at least,
   *     the API description say
   */
  protected AbstractSlowClientTest(
      String scheme, String smallTarget, String otherSmallTarget, String largeDocumentTarget) {
    this.scheme = scheme;
    this.smallTarget = smallTarget;
    this.otherSmallTarget = otherSmallTarget;
    this.largeDocumentTarget = largeDocumentTarget;
  }

  /**
   * Makes a builder of the adapter's transport on host 127.0.0.1, port 0, and hands it {@code
   * settings} here and now ({@link Settings#applyTo}: a setter that refuses a value throws from
   * this method), then returns the builder's {@code build}, not yet called.
   */
  protected abstract Supplier<Transport> configure(Settings settings);

  private Server serve(Settings settings) {
    return serve(configure(settings).get());
  }

  private static Server serve(Transport transport) {
    return Transports.builder().services(Reference.services()).transport(transport).start();
  }

  private Server serve(String options) {
    return Transports.builder()
        .services(Reference.services())
        .transport(scheme + "://127.0.0.1:0?" + options)
        .start();
  }

  private static String get(String target) {
    return "GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n";
  }

  @Test
  void requestTimeout_cutsATrickledRequestHead_onTheBuilderAndAsAUriOption() throws Exception {
    try (Server server =
        serve(
            Settings.DEFAULTS
                .idleTimeout(Duration.ofMinutes(10))
                .requestTimeout(Duration.ofSeconds(1)))) {
      assertTrickledHeadCut(server.port(scheme));
    }
    try (Server server = serve("idleTimeout=10m&requestTimeout=1s")) {
      assertTrickledHeadCut(server.port(scheme));
    }
  }

  @Test
  @Timeout(
      25) // a hang guard far above the 1 s set here, below twice the 30 s default it must not use
  void writeTimeout_disconnectsAClientThatNeverReads_onTheBuilderAndAsAUriOption()
      throws Exception {
    try (Server server = serve(Settings.DEFAULTS.writeTimeout(Duration.ofSeconds(1)))) {
      assertNeverReaderDisconnected(server.port(scheme));
    }
    try (Server server = serve("writeTimeout=1s")) {
      assertNeverReaderDisconnected(server.port(scheme));
    }
  }

  @Test
  void maxConnections_refusesOneTooMany_onTheBuilderAndAsAUriOption() throws Exception {
    try (Server server = serve(Settings.DEFAULTS.maxConnections(1))) {
      assertOneTooMany(
          server.port(scheme),
          InetAddress.getByName("127.0.0.2"),
          "too many connections (limit 1)");
    }
    try (Server server = serve("maxConnections=1")) {
      assertOneTooMany(
          server.port(scheme),
          InetAddress.getByName("127.0.0.2"),
          "too many connections (limit 1)");
    }
  }

  @Test
  void
      maxConnectionsPerPeer_refusesOneTooManyFromAnAddress_servesOthers_onTheBuilderAndAsAUriOption()
          throws Exception {
    try (Server server = serve(Settings.DEFAULTS.maxConnectionsPerPeer(1))) {
      assertOneTooMany(
          server.port(scheme), InetAddress.getByName("127.0.0.1"), "from your address (limit 1)");
      assertServedFrom(InetAddress.getByName("127.0.0.2"), server.port(scheme));
    }
    try (Server server = serve("maxConnectionsPerPeer=1")) {
      assertOneTooMany(
          server.port(scheme), InetAddress.getByName("127.0.0.1"), "from your address (limit 1)");
      assertServedFrom(InetAddress.getByName("127.0.0.2"), server.port(scheme));
    }
  }

  @Test
  void settings_refuseNonsense_andUnknownOptionsNameThem() {
    // configure applies each setting at once and builds nothing: these throw from the builder's
    // setters.
    assertThatThrownBy(() -> configure(Settings.DEFAULTS.maxConnections(0)))
        .hasMessageContaining("maxConnections: 0");
    assertThatThrownBy(() -> configure(Settings.DEFAULTS.maxConnectionsPerPeer(-1)))
        .hasMessageContaining("maxConnectionsPerPeer: -1");
    assertThatThrownBy(() -> configure(Settings.DEFAULTS.writeTimeout(Duration.ZERO)))
        .hasMessageContaining("writeTimeout");
    assertThatThrownBy(
            () -> Transports.transport(scheme + "://127.0.0.1:0?maxConnectionsPerPeer=none"))
        .hasMessageContaining("maxConnectionsPerPeer: none");
    assertThatThrownBy(() -> Transports.transport(scheme + "://127.0.0.1:0?perPeer=1"))
        .hasMessageContaining("maxConnectionsPerPeer")
        .hasMessageContaining("writeTimeout");
  }

  /**
   * Holds one connection from 127.0.0.1; one more from {@code second} is refused with {@code
   * detail}.
   */
  private void assertOneTooMany(int port, InetAddress second, String detail) throws Exception {
    try (RawHttp first = from(InetAddress.getByName("127.0.0.1"), port)) {
      assertThat(first.send(get(smallTarget)).read().status()).isEqualTo(200);
      try (RawHttp more = from(second, port)) {
        RawHttp.Response refused = more.send(get(smallTarget)).read();
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.header("connection")).isEqualTo("close");
        assertThat(refused.body()).contains("\"code\":\"UNAVAILABLE\"", detail);
        assertThat(more.closedByServer()).isTrue();
      }
      assertThat(first.send(get(smallTarget)).read().status()).isEqualTo(200);
    }
  }

  private void assertServedFrom(InetAddress local, int port) throws Exception {
    try (RawHttp a = from(local, port)) {
      assertThat(a.send(get(smallTarget)).read().status()).isEqualTo(200);
    }
  }

  /**
   * Trickles a 300-byte head a byte a second: it is cut (408) long before it is whole; others are
   * served.
   */
  private void assertTrickledHeadCut(int port) throws Exception {
    String head =
        "GET " + smallTarget + " HTTP/1.1\r\nHost: x\r\nX-Pad: " + "a".repeat(260) + "\r\n\r\n";
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
        assertThat(other.send(get(smallTarget)).read().status()).isEqualTo(200);
      }
      RawHttp.Response cut = slow.read();
      answered.set(true);
      assertThat(cut.status()).isEqualTo(408);
      assertThat(slow.closedByServer()).isTrue();
      assertThat(sent.get(30, TimeUnit.SECONDS)).isLessThan(head.length());
    }
  }

  /**
   * Pipelines requests for the large document from a socket with a small receive window, never
   * reading an answer: the server closes the connection (the client's writes then fail), and serves
   * another client meanwhile.
   */
  private void assertNeverReaderDisconnected(int port) throws Exception {
    byte[] request = get(largeDocumentTarget).getBytes(StandardCharsets.US_ASCII);
    try (Socket greedy = new Socket()) {
      greedy.setReceiveBufferSize(4096);
      greedy.connect(new InetSocketAddress("127.0.0.1", port));
      OutputStream out = greedy.getOutputStream();
      out.write(request);
      out.flush();
      try (RawHttp other = new RawHttp(port)) {
        assertThat(other.send(get(otherSmallTarget)).read().status()).isEqualTo(200);
      }
      // More and more requests, never reading, until the server has closed the connection: a write
      // then
      // fails (once the server stops reading, a write blocks until that close). The @Timeout guards
      // against it never closing.
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
        assertThat(other.send(get(otherSmallTarget)).read().status()).isEqualTo(200);
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
