package dev.ipc.graphql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ipc.core.CallContext;
import dev.ipc.core.Client;
import dev.ipc.core.Reference;
import dev.ipc.core.Saved;
import dev.ipc.core.Server;
import dev.ipc.core.Task;
import dev.ipc.core.TaskService;
import dev.ipc.core.Tls;
import dev.ipc.core.TransportException;
import dev.ipc.core.Transports;
import dev.ipc.core.testing.Chromium;
import dev.ipc.core.testing.Interop;
import dev.ipc.core.testing.TestCertificates;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * GraphQL over TLS from {@code Transports.builder().tls(...)}, with certificates made at test time:
 * curl {@code --cacert}, {@link GraphqlClient} with {@code ca=}, a plaintext client refused
 * cleanly, mutual TLS, and GraphiQL in a real Chromium over https.
 */
@Timeout(120)
class GraphqlTlsTest {
  private static final String PUT =
      "{\"query\":\"mutation { putTask(id: 5, name: \\\"x\\\") { id } }\"}";

  @TempDir static Path dir;
  private static TestCertificates certs;

  private final ObjectMapper json = new ObjectMapper();
  private final List<String> seen = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void certificates() throws Exception {
    certs = TestCertificates.create(dir);
  }

  private Server serve(Tls tls) {
    TaskService store = Reference.tasks();
    TaskService tasks =
        new TaskService() {
          @Override
          public List<Task> list() {
            return store.list();
          }

          @Override
          public Task get(long id) {
            List<java.security.cert.X509Certificate> chain =
                CallContext.current().peerCertificates();
            seen.add(
                chain.isEmpty()
                    ? "no certificate"
                    : chain.get(0).getSubjectX500Principal().getName());
            return store.get(id);
          }

          @Override
          public Saved<Task> put(Task task) {
            return store.put(task);
          }
        };
    return Transports.builder()
        .services(List.of(Reference.dating(), tasks, Reference.person()))
        .transport(GraphqlTransport.builder().host("127.0.0.1").port(0).build())
        .authenticate(GraphqlSecurityTest.TOKENS::get)
        .tls(tls)
        .start();
  }

  @Test
  @Interop
  void curlWithTheCa_authenticatesOverTls() throws Exception {
    try (Server server = serve(Tls.fromPem(certs.serverCert(), certs.serverKey()))) {
      String url = "https://localhost:" + server.port("graphql") + "/graphql";
      GraphqlHttpTest.Run refused = curl(url, PUT, null);
      assertThat(refused.exit()).isZero();
      assertThat(refused.out()).contains("www-authenticate: Bearer");
      assertThat(body(refused).path("errors").path(0).path("extensions").path("code").asText())
          .isEqualTo("UNAUTHENTICATED");

      GraphqlHttpTest.Run reader = curl(url, PUT, "r-token");
      assertThat(body(reader).path("errors").path(0).path("extensions").path("code").asText())
          .isEqualTo("PERMISSION_DENIED");

      GraphqlHttpTest.Run writer = curl(url, PUT, "w-token");
      assertThat(writer.out()).startsWith("HTTP/1.1 200");
      assertThat(body(writer).path("data").path("putTask").path("id").asLong()).isEqualTo(5);

      // Without the CA, curl does not trust the server: the certificate is really checked.
      GraphqlHttpTest.Run untrusted =
          GraphqlHttpTest.run("curl", "-s", "-o", "/dev/null", url + "?query=%7Bname%7D");
      assertThat(untrusted.exit()).isEqualTo(60); // CURLE_PEER_FAILED_VERIFICATION
    }
  }

  @Test
  void graphqlClientWithCa_callsOverTls_andAPlaintextClientIsRefusedCleanly() throws Exception {
    try (Server server = serve(Tls.fromPem(certs.serverCert(), certs.serverKey()))) {
      int port = server.port("graphql");
      try (Client client =
          Transports.connect("graphql://localhost:" + port + "?ca=" + certs.ca())) {
        TaskService tasks = client.withBearerToken("w-token").service(TaskService.DESCRIPTOR);
        assertThat(tasks.put(new Task(5, "x")).created()).isTrue();
        assertThat(client.service(TaskService.DESCRIPTOR).get(5)).isEqualTo(new Task(5, "x"));
      }

      // A plaintext HTTP request gets no HTTP answer: at most a TLS alert, then the connection
      // closes.
      try (Socket socket = new Socket("127.0.0.1", port)) {
        socket.setSoTimeout(30_000);
        OutputStream out = socket.getOutputStream();
        out.write(
            "GET /graphql?query=%7Bname%7D HTTP/1.1\r\nHost: localhost\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        byte[] answer = readToEnd(socket.getInputStream());
        assertThat(new String(answer, StandardCharsets.ISO_8859_1))
            .doesNotContain("HTTP/")
            .doesNotContain("Rootkit");
      }
      // Our client without TLS: no answer, a TransportException, not a hang.
      try (GraphqlClient plain = GraphqlClient.of("127.0.0.1", port)) {
        assertThatThrownBy(() -> plain.service(TaskService.DESCRIPTOR).get(1))
            .isInstanceOf(TransportException.class);
      }
      // The server keeps serving.
      try (GraphqlClient client =
          GraphqlClient.builder().target("localhost", port).ca(certs.ca()).build()) {
        assertThat(client.uri().getScheme()).isEqualTo("https");
        assertThat(client.service(TaskService.DESCRIPTOR).get(1)).isEqualTo(new Task(1, "task1"));
      }
    }
  }

  @Test
  void mutualTls_acceptsAClientCertificate_refusesNone_andTheServiceSeesIt() throws Exception {
    Tls tls =
        Tls.fromPem(certs.serverCert(), certs.serverKey())
            .withClientCa(certs.ca(), Tls.ClientAuth.REQUIRE);
    try (Server server = serve(tls)) {
      int port = server.port("graphql");
      try (Client client =
          Transports.connect(
              "graphql://localhost:"
                  + port
                  + "?ca="
                  + certs.ca()
                  + "&cert="
                  + certs.clientCert()
                  + "&key="
                  + certs.clientKey())) {
        assertThat(client.service(TaskService.DESCRIPTOR).get(1)).isEqualTo(new Task(1, "task1"));
      }
      assertThat(seen).containsExactly("CN=test client");

      try (GraphqlClient none =
          GraphqlClient.builder().target("localhost", port).ca(certs.ca()).build()) {
        assertThatThrownBy(() -> none.service(TaskService.DESCRIPTOR).get(1))
            .isInstanceOf(TransportException.class);
      }
    }
  }

  @Test
  @Interop
  void mutualTls_curlWithACertificateIsServed_andWithoutOneRefused() throws Exception {
    Tls tls =
        Tls.fromPem(certs.serverCert(), certs.serverKey())
            .withClientCa(certs.ca(), Tls.ClientAuth.REQUIRE);
    try (Server server = serve(tls)) {
      int port = server.port("graphql");
      GraphqlHttpTest.Run curlNone =
          GraphqlHttpTest.run(
              "curl",
              "-s",
              "--cacert",
              certs.ca().toString(),
              "https://localhost:" + port + "/graphql?query=%7Bname%7D");
      assertThat(curlNone.exit()).isNotZero();
      assertThat(curlNone.out()).doesNotContain("Rootkit");
      GraphqlHttpTest.Run curlWith =
          GraphqlHttpTest.run(
              "curl",
              "-s",
              "--cacert",
              certs.ca().toString(),
              "--cert",
              certs.clientCert().toString(),
              "--key",
              certs.clientKey().toString(),
              "https://localhost:" + port + "/graphql?query=%7Bname%7D");
      assertThat(curlWith.out()).isEqualTo("{\"data\":{\"name\":\"Rootkit\"}}");
    }
  }

  @Test
  @Interop
  void graphiql_loadsOverHttps() throws Exception {
    try (Server server = serve(Tls.fromPem(certs.serverCert(), certs.serverKey()));
        // Trusts exactly this server's key, as a CA installed in the browser would.
        Chromium chromium =
            new Chromium(
                List.of("--ignore-certificate-errors-spki-list=" + spki(certs.serverCert())))) {
      String origin = "https://localhost:" + server.port("graphql") + "/";
      chromium.open(origin + "graphql");
      JsonNode shown = chromium.evaluate(GraphiqlBrowserTest.RUN_QUERY + "('hobby', 'Rootkit')");
      Files.write(Path.of("target", "graphiql-https.png"), chromium.screenshot());
      assertThat(shown.path("response").asText().replaceAll("\\s", ""))
          .isEqualTo(
              "{\"data\":{\"name\":\"Rootkit\",\"hobby\":[\"Coding\",\"Badminton\",\"Billiards\",\"Reading\",\"Guitar\"]}}");
      assertThat(chromium.requested())
          .filteredOn(url -> !url.startsWith("data:"))
          .isNotEmpty()
          .allSatisfy(url -> assertThat(url).startsWith(origin));
    }
  }

  private GraphqlHttpTest.Run curl(String url, String body, String token) throws Exception {
    List<String> cmd =
        new java.util.ArrayList<>(
            List.of(
                "curl",
                "-s",
                "-i",
                "--cacert",
                certs.ca().toString(),
                "-H",
                "Content-Type: application/json",
                "-d",
                body));
    if (token != null) {
      cmd.add("-H");
      cmd.add("Authorization: Bearer " + token);
    }
    cmd.add(url);
    return GraphqlHttpTest.run(cmd.toArray(String[]::new));
  }

  private JsonNode body(GraphqlHttpTest.Run r) throws Exception {
    assertThat(r.exit()).isZero();
    String out = r.out();
    return json.readTree(out.substring(out.indexOf("\r\n\r\n") + 4));
  }

  private static byte[] readToEnd(InputStream in) throws Exception {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buf = new byte[4096];
    try {
      for (int n; (n = in.read(buf)) >= 0; ) {
        all.write(buf, 0, n);
      }
    } catch (java.net.SocketException reset) {
      // A reset is a close too.
    }
    return all.toByteArray();
  }

  /**
   * Returns the base64 SHA-256 of the certificate's public key, as Chromium's SPKI allow-list takes
   * it.
   */
  private static String spki(Path pem) throws Exception {
    X509Certificate cert;
    try (InputStream in = Files.newInputStream(pem)) {
      cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
    byte[] hash = MessageDigest.getInstance("SHA-256").digest(cert.getPublicKey().getEncoded());
    return Base64.getEncoder().encodeToString(hash);
  }
}
