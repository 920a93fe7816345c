package dev.ipc.http.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.ipc.core.Tls;
import dev.ipc.core.testing.TestCertificates;
import dev.ipc.http.testing.PemSsl;
import dev.ipc.http.testing.RawHttp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link HttpServer} and {@link HttpClientPool} over TLS, against the JDK's own TLS stack and a
 * proxy that records what crosses the wire.
 */
@Timeout(60)
class HttpTlsTest {
  private static final Duration LONG = Duration.ofSeconds(20);
  private static final int BIG = 300_000; // more than a socket takes at once: partial writes

  @TempDir static Path dir;
  private static TestCertificates certs;

  private final ExecutorService executor = Executors.newFixedThreadPool(8);
  private final ExecutorService clients = Executors.newFixedThreadPool(8);
  private final List<AutoCloseable> resources = new ArrayList<>();

  @BeforeAll
  static void certificates() throws Exception {
    certs = TestCertificates.create(dir);
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable r : resources) {
      r.close();
    }
    clients.shutdownNow();
    executor.shutdownNow();
  }

  private HttpServer start(Tls tls) throws IOException {
    HttpServer server =
        HttpServer.builder()
            .host("127.0.0.1")
            .port(0)
            .executor(executor)
            .workerThreads(2)
            .tls(tls)
            .handler(HttpTlsTest::echo)
            .start();
    resources.add(server::shutdownNow);
    return server;
  }

  private static Tls serverTls() {
    return Tls.fromPem(certs.serverCert(), certs.serverKey());
  }

  /**
   * Answers the path, whether it came over TLS and the client certificate's subject; /big... is
   * long.
   */
  private static HttpResponse echo(HttpRequest r) {
    String peer =
        r.peerCertificates().isEmpty()
            ? "anonymous"
            : r.peerCertificates().get(0).getSubjectX500Principal().getName();
    String text = r.path() + " tls=" + r.isTls() + " peer=" + peer;
    return HttpResponse.text(
        200, r.path().startsWith("/big") ? text + " " + "x".repeat(BIG) : text);
  }

  /** Returns a JDK TLS socket to 127.0.0.1:{@code port} that checks the name {@code localhost}. */
  private static SSLSocket tlsSocket(int port, SSLContext ctx) throws IOException {
    SSLSocket s =
        (SSLSocket)
            ctx.getSocketFactory()
                .createSocket(new Socket("127.0.0.1", port), "localhost", port, true);
    SSLParameters params = s.getSSLParameters();
    params.setEndpointIdentificationAlgorithm("HTTPS");
    s.setSSLParameters(params);
    return s;
  }

  private static SSLContext trustingCa() throws Exception {
    return PemSsl.context(certs.ca(), null, null);
  }

  private static SSLContext withClientCertificate() throws Exception {
    return PemSsl.context(certs.ca(), certs.clientCert(), certs.clientKey());
  }

  @Test
  void tls_pipelinedAndConcurrentRequestsAreAnsweredInOrder_andOnlyTlsRecordsCrossTheWire()
      throws Exception {
    HttpServer server = start(serverTls());
    RecordingProxy proxy = new RecordingProxy(server.localAddress().getPort());
    resources.add(0, proxy); // closed before the server
    SSLContext ctx = trustingCa();
    int connections = 8;
    int perConnection = 40;
    List<Future<List<String>>> results = new ArrayList<>();
    for (int c = 0; c < connections; c++) {
      int conn = c;
      results.add(
          clients.submit(
              () -> {
                List<String> bodies = new ArrayList<>();
                try (RawHttp http = new RawHttp(tlsSocket(proxy.port(), ctx))) {
                  // All requests written before any answer is read: pipelined, while the call
                  // threads
                  // answer the connections' earlier requests concurrently.
                  StringBuilder all = new StringBuilder();
                  for (int i = 0; i < perConnection; i++) {
                    all.append("GET ")
                        .append(path(conn, i))
                        .append(" HTTP/1.1\r\nHost: localhost\r\n\r\n");
                  }
                  http.send(all.toString());
                  for (int i = 0; i < perConnection; i++) {
                    RawHttp.Response r = http.read();
                    assertThat(r.status()).isEqualTo(200);
                    bodies.add(r.body());
                  }
                }
                return bodies;
              }));
    }
    for (int c = 0; c < connections; c++) {
      List<String> bodies = results.get(c).get();
      for (int i = 0; i < perConnection; i++) {
        String expected = path(c, i) + " tls=true peer=anonymous";
        if (path(c, i).startsWith("/big")) {
          assertThat(bodies.get(i)).isEqualTo(expected + " " + "x".repeat(BIG));
        } else {
          assertThat(bodies.get(i)).isEqualTo(expected);
        }
      }
    }
    List<byte[]> wire = proxy.awaitServerBytes(connections);
    assertThat(wire).hasSize(connections);
    long total = 0;
    for (byte[] bytes : wire) {
      assertOnlyTlsRecords(bytes);
      assertThat(new String(bytes, StandardCharsets.ISO_8859_1))
          .doesNotContain("HTTP/1.1", "tls=true");
      total += bytes.length;
    }
    // Every answer crossed the wire, encrypted: at least as many bytes as the plain text holds.
    assertThat(total).isGreaterThan((long) connections * 4 * BIG);
  }

  private static String path(int connection, int i) {
    return (i % 10 == 3 ? "/big/" : "/c/") + connection + "/" + i;
  }

  /**
   * Checks {@code bytes} are whole TLS records (type, version 3.x, length, payload) and nothing
   * else.
   */
  private static void assertOnlyTlsRecords(byte[] bytes) {
    int i = 0;
    int records = 0;
    while (i < bytes.length) {
      assertThat(bytes.length - i).as("record header at %d", i).isGreaterThanOrEqualTo(5);
      int type = bytes[i] & 0xff;
      int major = bytes[i + 1] & 0xff;
      int minor = bytes[i + 2] & 0xff;
      int length = ((bytes[i + 3] & 0xff) << 8) | (bytes[i + 4] & 0xff);
      assertThat(type).as("record type at %d", i).isBetween(20, 23);
      assertThat(major).as("record version at %d", i).isEqualTo(3);
      assertThat(minor).as("record version at %d", i).isBetween(1, 4);
      assertThat(length).as("record length at %d", i).isBetween(1, 16384 + 2048);
      i += 5 + length;
      records++;
    }
    assertThat(i).as("the last record ends with the stream").isEqualTo(bytes.length);
    assertThat(records).isGreaterThan(1);
  }

  @Test
  void plaintextClient_isClosedWithoutAnAnswer_andTlsClientsAreStillServed() throws Exception {
    HttpServer server = start(serverTls());
    int port = server.localAddress().getPort();
    try (Socket plain = new Socket("127.0.0.1", port)) {
      plain.setSoTimeout(20_000);
      plain
          .getOutputStream()
          .write("GET /c HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      plain.getOutputStream().flush();
      byte[] answer = readToEnd(plain.getInputStream());
      assertThat(new String(answer, StandardCharsets.ISO_8859_1)).doesNotContain("HTTP/", "/c");
    }
    try (RawHttp tls = new RawHttp(tlsSocket(port, trustingCa()))) {
      tls.send("GET /after HTTP/1.1\r\nHost: localhost\r\n\r\n");
      assertThat(tls.read().body()).isEqualTo("/after tls=true peer=anonymous");
    }
  }

  /** Reads until the end of the stream or a reset: the server closed the connection either way. */
  private static byte[] readToEnd(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[4096];
    try {
      for (int n; (n = in.read(buf)) != -1; ) {
        out.write(buf, 0, n);
      }
    } catch (java.net.SocketException e) {
      // reset: closed as well
    }
    return out.toByteArray();
  }

  @Test
  void mutualTls_require_acceptsAClientCertificate_andTheHandlerSeesIt_refusesNone()
      throws Exception {
    HttpServer server = start(serverTls().withClientCa(certs.ca(), Tls.ClientAuth.REQUIRE));
    int port = server.localAddress().getPort();
    try (RawHttp tls = new RawHttp(tlsSocket(port, withClientCertificate()))) {
      tls.send("GET /m HTTP/1.1\r\nHost: localhost\r\n\r\n");
      assertThat(tls.read().body()).isEqualTo("/m tls=true peer=CN=test client");
    }
    try (SSLSocket s = tlsSocket(port, trustingCa())) {
      s.setSoTimeout(20_000);
      // TLS 1.3 ends the client's handshake before the server checks it: the refusal (an alert, a
      // close)
      // shows at the latest on the first read. Never an answer.
      Throwable t =
          catchThrowable(
              () -> {
                s.startHandshake();
                s.getOutputStream()
                    .write(
                        "GET /m HTTP/1.1\r\nHost: localhost\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                assertThat(s.getInputStream().read()).isEqualTo(-1);
              });
      if (t != null) {
        assertThat(t).isInstanceOf(IOException.class);
      }
    }
    // And the server goes on serving.
    try (RawHttp tls = new RawHttp(tlsSocket(port, withClientCertificate()))) {
      tls.send("GET /again HTTP/1.1\r\nHost: localhost\r\n\r\n");
      assertThat(tls.read().body()).isEqualTo("/again tls=true peer=CN=test client");
    }
  }

  @Test
  void mutualTls_optional_servesAClientWithoutCertificateAsAnonymous() throws Exception {
    HttpServer server = start(serverTls().withClientCa(certs.ca(), Tls.ClientAuth.OPTIONAL));
    int port = server.localAddress().getPort();
    try (RawHttp tls = new RawHttp(tlsSocket(port, trustingCa()))) {
      tls.send("GET /o HTTP/1.1\r\nHost: localhost\r\n\r\n");
      assertThat(tls.read().body()).isEqualTo("/o tls=true peer=anonymous");
    }
    try (RawHttp tls = new RawHttp(tlsSocket(port, withClientCertificate()))) {
      tls.send("GET /o HTTP/1.1\r\nHost: localhost\r\n\r\n");
      assertThat(tls.read().body()).isEqualTo("/o tls=true peer=CN=test client");
    }
  }

  @Test
  void plainServer_saysNotTls() throws Exception {
    HttpServer server = start(null);
    assertThat(server.isTls()).isFalse();
    try (RawHttp c = new RawHttp(server.localAddress().getPort())) {
      c.send("GET /p HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(c.read().body()).isEqualTo("/p tls=false peer=anonymous");
    }
  }

  @Test
  void start_withAFileThatHoldsNoKey_failsNamingTheFiles() {
    HttpServerBuilder b =
        HttpServer.builder()
            .host("127.0.0.1")
            .port(0)
            .executor(executor)
            .handler(HttpTlsTest::echo)
            .tls(Tls.fromPem(certs.serverCert(), certs.ca()));
    assertThatThrownBy(b::start)
        .isInstanceOf(IOException.class)
        .hasMessageContaining(certs.ca().toString());
  }

  private HttpClientPool pool(int port, ClientTls tls) {
    HttpClientPool pool =
        HttpClientPool.open("tls-client", "localhost", port, 8, LONG, 1 << 20, tls);
    resources.add(0, pool);
    return pool;
  }

  private static String get(HttpClientPool pool, String target) throws IOException {
    HttpClientPool.Response r = pool.exchange("GET", target, Map.of(), null, LONG);
    assertThat(r.status()).isEqualTo(200);
    return new String(r.body(), StandardCharsets.UTF_8);
  }

  @Test
  void clientPool_withTheCa_callsConcurrently() throws Exception {
    HttpServer server = start(serverTls());
    HttpClientPool pool = pool(server.localAddress().getPort(), ClientTls.trusting(certs.ca()));
    assertThat(pool.isTls()).isTrue();
    assertThat(pool.toString()).contains("https://localhost:");
    List<Future<?>> calls = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      int thread = t;
      calls.add(
          clients.submit(
              () -> {
                for (int i = 0; i < 25; i++) {
                  assertThat(get(pool, "/p/" + thread + "/" + i))
                      .isEqualTo("/p/" + thread + "/" + i + " tls=true peer=anonymous");
                }
                return null;
              }));
    }
    for (Future<?> f : calls) {
      f.get();
    }
    assertThat(get(pool, "/big")).hasSize("/big tls=true peer=anonymous ".length() + BIG);
  }

  @Test
  void clientPool_presentsItsCertificate_forMutualTls() throws Exception {
    HttpServer server = start(serverTls().withClientCa(certs.ca(), Tls.ClientAuth.REQUIRE));
    int port = server.localAddress().getPort();
    HttpClientPool with =
        pool(
            port,
            ClientTls.trusting(certs.ca())
                .withClientCertificate(certs.clientCert(), certs.clientKey()));
    assertThat(get(with, "/m")).isEqualTo("/m tls=true peer=CN=test client");
    HttpClientPool without = pool(port, ClientTls.trusting(certs.ca()));
    assertThatThrownBy(() -> get(without, "/m")).isInstanceOf(IOException.class);
    assertThat(get(with, "/m2")).isEqualTo("/m2 tls=true peer=CN=test client");
  }

  @Test
  void clientPool_refusesAServerItDoesNotTrust_andAPlainServer() throws Exception {
    HttpServer tlsServer = start(serverTls());
    HttpClientPool systemTrust = pool(tlsServer.localAddress().getPort(), ClientTls.systemTrust());
    Throwable t = catchThrowable(() -> get(systemTrust, "/x"));
    assertThat(t).isInstanceOf(IOException.class);
    assertThat(causes(t)).anyMatch(c -> c instanceof SSLException);

    HttpServer plainServer = start(null);
    HttpClientPool tlsToPlain =
        pool(plainServer.localAddress().getPort(), ClientTls.trusting(certs.ca()));
    // The plain answer is not echoed into the error (it may hold anything).
    assertThatThrownBy(() -> get(tlsToPlain, "/x"))
        .isInstanceOf(SSLException.class)
        .hasMessageContaining("did not answer in TLS")
        .hasNoCause();

    // A plain client against the TLS port: refused, not left hanging.
    HttpClientPool plainToTls = pool(tlsServer.localAddress().getPort(), null);
    assertThatThrownBy(() -> get(plainToTls, "/x")).isInstanceOf(IOException.class);
  }

  private static List<Throwable> causes(Throwable t) {
    List<Throwable> all = new ArrayList<>();
    for (Throwable c = t; c != null && !all.contains(c); c = c.getCause()) {
      all.add(c);
    }
    return all;
  }

  @Test
  void clientTls_options() {
    assertThat(ClientTls.of(false, null, null, null)).isNull();
    assertThat(ClientTls.of(true, null, null, null).ca()).isNull();
    assertThat(ClientTls.of(false, certs.ca(), null, null).ca()).isEqualTo(certs.ca());
    ClientTls mutual = ClientTls.of(false, null, certs.clientCert(), certs.clientKey());
    assertThat(mutual.cert()).isEqualTo(certs.clientCert());
    assertThat(mutual.key()).isEqualTo(certs.clientKey());
    assertThatThrownBy(() -> ClientTls.of(false, null, certs.clientCert(), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cert given without key");
    assertThatThrownBy(() -> ClientTls.trusting(dir.resolve("missing.pem")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("missing.pem");
  }

  @Test
  void clientPool_refusesAHeaderThatCannotBeSent_withoutShowingItsValue() throws Exception {
    HttpServer server = start(null);
    HttpClientPool pool = pool(server.localAddress().getPort(), null);
    assertThatThrownBy(
            () ->
                pool.exchange("GET", "/", Map.of("authorization", "Bearer sec\r\nret"), null, LONG))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("authorization")
        .hasMessageNotContaining("sec");
    assertThatThrownBy(() -> pool.exchange("GET", "/", Map.of("bad name", "v"), null, LONG))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(get(pool, "/fine")).isEqualTo("/fine tls=false peer=anonymous");
  }

  /**
   * A TCP proxy to 127.0.0.1:{@code target} that records every byte the server sends to each client
   * connection.
   */
  private static final class RecordingProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final int target;
    private final List<Socket> sockets = Collections.synchronizedList(new ArrayList<>());
    private final List<Thread> pumps = Collections.synchronizedList(new ArrayList<>());
    private final List<ByteArrayOutputStream> fromServer =
        Collections.synchronizedList(new ArrayList<>());
    private final Thread acceptor;

    RecordingProxy(int target) throws IOException {
      this.target = target;
      this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      this.acceptor = new Thread(this::accept, "recording-proxy");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    int port() {
      return listener.getLocalPort();
    }

    private void accept() {
      try {
        while (true) {
          Socket client = listener.accept();
          Socket server = new Socket("127.0.0.1", target);
          sockets.add(client);
          sockets.add(server);
          ByteArrayOutputStream record = new ByteArrayOutputStream();
          fromServer.add(record);
          pump(client, server, null);
          pump(server, client, record);
        }
      } catch (IOException e) {
        // closed
      }
    }

    private void pump(Socket from, Socket to, ByteArrayOutputStream record) {
      Thread t =
          new Thread(
              () -> {
                byte[] buf = new byte[16384];
                try {
                  InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream();
                  for (int n; (n = in.read(buf)) != -1; ) {
                    if (record != null) {
                      synchronized (record) {
                        record.write(buf, 0, n);
                      }
                    }
                    out.write(buf, 0, n);
                  }
                  to.shutdownOutput();
                } catch (IOException e) {
                  try {
                    from.close();
                    to.close();
                  } catch (IOException ignored) {
                    // closing anyway
                  }
                }
              },
              "recording-proxy-pump");
      t.setDaemon(true);
      pumps.add(t);
      t.start();
    }

    /**
     * Waits for the {@code n} connections' traffic to end; returns what the server sent on each.
     */
    List<byte[]> awaitServerBytes(int n) throws InterruptedException {
      List<byte[]> out = new ArrayList<>();
      for (Thread t : new ArrayList<>(pumps)) {
        t.join();
      }
      synchronized (fromServer) {
        assertThat(fromServer).hasSize(n);
        for (ByteArrayOutputStream r : fromServer) {
          synchronized (r) {
            out.add(r.toByteArray());
          }
        }
      }
      return out;
    }

    @Override
    public void close() throws IOException {
      listener.close();
      synchronized (sockets) {
        for (Socket s : sockets) {
          s.close();
        }
      }
    }
  }
}
