package dev.ipc.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ipc.core.CallContext;
import dev.ipc.core.Client;
import dev.ipc.core.ErrorCode;
import dev.ipc.core.Metadata;
import dev.ipc.core.Principal;
import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.ServiceException;
import dev.ipc.core.Task;
import dev.ipc.core.TaskService;
import dev.ipc.core.Tls;
import dev.ipc.core.TokenVerifier;
import dev.ipc.core.TransportException;
import dev.ipc.core.Transports;
import dev.ipc.core.testing.Interop;
import dev.ipc.core.testing.TestCertificates;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17 over REST: bearer tokens and roles (curl and RestClient), the call context a service
 * sees, response metadata as headers, TLS and mutual TLS (curl and RestClient).
 */
@Timeout(120)
class RestSecurityTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** w: a writer; r: a reader; anything else is not a token. */
  private static final TokenVerifier TOKENS =
      token ->
          switch (token) {
            case "w-token" -> Principal.of("wanda", "writer");
            case "r-token" -> Principal.of("rob", "reader");
            default -> null;
          };

  @TempDir static Path dir;
  private static TestCertificates certs;

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
  }

  /** What a service read from {@link CallContext#current()}. */
  public record Seen(
      String transport, String peer, String header, String principal, String certificate) {}

  /** A service that answers what its call context holds. */
  public interface Probe {
    /** Returns what the call context says; {@code note} is only there to have a parameter. */
    Seen seen(String note);
  }

  private static final class ContextProbe implements Probe {
    @Override
    public Seen seen(String note) {
      CallContext c = CallContext.current();
      return new Seen(
          c.transport(),
          c.peer() == null ? "none" : c.peer().getAddress().getHostAddress(),
          c.metadata().get("x-client") == null ? "none" : c.metadata().get("x-client"),
          c.principal() == null ? "anonymous" : c.principal().name(),
          c.peerCertificates().isEmpty()
              ? "none"
              : c.peerCertificates().get(0).getSubjectX500Principal().getName());
    }
  }

  private Server start(boolean authenticate, Tls tls) {
    List<Object> services = new ArrayList<>(Reference.services());
    services.add(new ContextProbe());
    Transports.Builder b =
        Transports.builder()
            .services(services)
            .transport(RestTransport.builder().host("127.0.0.1").port(0).build());
    if (authenticate) {
      b.authenticate(TOKENS); // before the interceptor, so it runs inside authentication
    }
    b.interceptor(
        (context, request, next) -> {
          context.responseMetadata().add("x-served-by", "ipc-" + context.transport());
          context.responseMetadata().add("content-length", "1"); // framing: stays the server's
          return next.proceed(request);
        });
    if (tls != null) {
      b.tls(tls);
    }
    Server server = b.start();
    resources.add(server);
    return server;
  }

  private static Tls serverTls() {
    return Tls.fromPem(certs.serverCert(), certs.serverKey());
  }

  // ---- tokens and roles, with curl -------------------------------------------------------------

  @Test
  @Interop
  void curl_putTask_noBadReaderAndWriterToken() throws Exception {
    Server server = start(true, null);
    String base = "http://127.0.0.1:" + server.port("rest");
    String put5 = base + "/tasks/5";
    String data = "data={\"name\": \"task5\"}";

    Answer none = curl("-X", "PUT", put5, "-d", data);
    assertThat(none.status).isEqualTo(401);
    assertThat(none.header("www-authenticate")).isEqualTo("Bearer");
    assertProblem(none, 401, "UNAUTHENTICATED");
    assertThat(curl(put5).status).as("the refused put created nothing").isEqualTo(404);

    Answer bad = curl("-X", "PUT", put5, "-d", data, "-H", "Authorization: Bearer not-a-token");
    assertThat(bad.status).isEqualTo(401);
    assertThat(bad.header("www-authenticate")).isEqualTo("Bearer error=\"invalid_token\"");
    assertProblem(bad, 401, "UNAUTHENTICATED");
    assertThat(bad.body).doesNotContain("not-a-token");
    assertThat(curl(put5).status).isEqualTo(404);

    Answer reader = curl("-X", "PUT", put5, "-d", data, "-H", "Authorization: Bearer r-token");
    assertThat(reader.status).isEqualTo(403);
    assertThat(reader.header("www-authenticate")).isNull();
    assertProblem(reader, 403, "PERMISSION_DENIED");
    assertThat(reader.json().get("detail").asText()).contains("writer");
    assertThat(curl(put5).status).isEqualTo(404);
    // Nor is an existing task changed by a refused put.
    assertThat(
            curl(
                    "-X",
                    "PUT",
                    base + "/tasks/1",
                    "-d",
                    "data={\"name\": \"hacked\"}",
                    "-H",
                    "Authorization: Bearer r-token")
                .status)
        .isEqualTo(403);
    assertThat(curl(base + "/tasks/1").json().get("name").asText()).isEqualTo("task1");

    Answer writer = curl("-X", "PUT", put5, "-d", data, "-H", "Authorization: Bearer w-token");
    assertThat(writer.status).isEqualTo(201);
    assertThat(writer.header("location")).isEqualTo("/tasks/5");
    assertThat(writer.json().get("name").asText()).isEqualTo("task5");
    assertThat(curl(put5).json().get("name").asText()).isEqualTo("task5");

    // Reads are public; a token that is sent must still be valid.
    Answer list = curl(base + "/tasks");
    assertThat(list.status).isEqualTo(200);
    assertThat(list.json()).hasSize(4);
    assertThat(curl(base + "/tasks", "-H", "Authorization: Bearer r-token").status).isEqualTo(200);
    Answer badRead = curl(base + "/tasks", "-H", "Authorization: Bearer not-a-token");
    assertThat(badRead.status).isEqualTo(401);
    assertThat(badRead.header("www-authenticate")).isEqualTo("Bearer error=\"invalid_token\"");
    assertProblem(badRead, 401, "UNAUTHENTICATED");
  }

  private static void assertProblem(Answer a, int status, String code) throws IOException {
    assertThat(a.header("content-type")).isEqualTo("application/problem+json");
    assertThat(a.json().get("status").asInt()).isEqualTo(status);
    assertThat(a.json().get("code").asText()).isEqualTo(code);
  }

  @Test
  @Interop
  void withoutAuthentication_putStaysOpen_asToday() throws Exception {
    Server server = start(false, null);
    String base = "http://127.0.0.1:" + server.port("rest");
    Answer put = curl("-X", "PUT", base + "/tasks/5", "-d", "data={\"name\": \"task5\"}");
    assertThat(put.status).isEqualTo(201);
    assertThat(put.header("www-authenticate")).isNull();
  }

  // ---- tokens and roles, with RestClient -------------------------------------------------------

  @Test
  void restClient_withBearerToken() {
    Server server = start(true, null);
    try (RestClient client = RestClient.of("127.0.0.1", server.port("rest"))) {
      TaskService anonymous = client.service(TaskService.DESCRIPTOR);
      assertThatThrownBy(() -> anonymous.put(new Task(1, "hacked")))
          .isInstanceOfSatisfying(
              ServiceException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED));
      TaskService bad = client.withBearerToken("not-a-token").service(TaskService.DESCRIPTOR);
      assertThatThrownBy(() -> bad.put(new Task(1, "hacked")))
          .isInstanceOfSatisfying(
              ServiceException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED));
      assertThatThrownBy(bad::list)
          .isInstanceOfSatisfying(
              ServiceException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED));
      TaskService reader = client.withBearerToken("r-token").service(TaskService.DESCRIPTOR);
      assertThatThrownBy(() -> reader.put(new Task(1, "hacked")))
          .isInstanceOfSatisfying(
              ServiceException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.PERMISSION_DENIED));
      assertThat(reader.list()).hasSize(3);
      assertThat(anonymous.get(1)).isEqualTo(new Task(1, "task1"));

      TaskService writer = client.withBearerToken("w-token").service(TaskService.DESCRIPTOR);
      assertThat(writer.put(new Task(1, "renamed")).created()).isFalse();
      assertThat(anonymous.get(1)).isEqualTo(new Task(1, "renamed"));
    }
  }

  // ---- call context and response metadata ------------------------------------------------------

  @Test
  @Interop
  void serviceSeesPeerHeaderAndPrincipal_andInterceptorMetadataIsAResponseHeader()
      throws Exception {
    Server server = start(true, null);
    String base = "http://127.0.0.1:" + server.port("rest");
    Answer a =
        curl(
            base + "/probe/seen?note=x",
            "-H",
            "x-client: curl",
            "-H",
            "Authorization: Bearer r-token");
    assertThat(a.status).isEqualTo(200);
    assertThat(a.json())
        .isEqualTo(
            JSON.readTree(
                "{\"transport\":\"rest\",\"peer\":\"127.0.0.1\",\"header\":\"curl\",\"principal\":\"rob\","
                    + "\"certificate\":\"none\"}"));
    assertThat(a.header("x-served-by")).isEqualTo("ipc-rest");
    assertThat(a.header("content-length"))
        .isEqualTo(String.valueOf(a.body.getBytes(StandardCharsets.UTF_8).length));
    // Authentication runs before the interceptors: a call it refuses never reached the one adding
    // it.
    Answer refused = curl("-X", "PUT", base + "/tasks/9", "-d", "data={\"name\": \"x\"}");
    assertThat(refused.status).isEqualTo(401);
    assertThat(refused.header("x-served-by")).isNull();

    try (RestClient client = RestClient.of("127.0.0.1", server.port("rest"))) {
      Probe probe =
          client
              .withMetadata(Metadata.of("x-client", "java", "authorization", "Bearer w-token"))
              .service(Probe.class);
      Seen seen = probe.seen("y");
      assertThat(seen).isEqualTo(new Seen("rest", "127.0.0.1", "java", "wanda", "none"));
    }
  }

  // ---- TLS
  // ---------------------------------------------------------------------------------------

  @Test
  @Interop
  void tls_curlWithTheCa_isServed_andAPlainOrUntrustingCurlIsRefusedCleanly() throws Exception {
    Server server = start(true, serverTls());
    int port = server.port("rest");
    String https = "https://localhost:" + port;

    Answer list = curl("--cacert", certs.ca().toString(), https + "/tasks");
    assertThat(list.status).isEqualTo(200);
    assertThat(list.json()).hasSize(3);
    Answer put =
        curl(
            "--cacert",
            certs.ca().toString(),
            "-X",
            "PUT",
            https + "/tasks/7",
            "-d",
            "data={\"name\": \"seven\"}",
            "-H",
            "Authorization: Bearer w-token");
    assertThat(put.status).isEqualTo(201);
    Answer refused =
        curl(
            "--cacert",
            certs.ca().toString(),
            "-X",
            "PUT",
            https + "/tasks/7",
            "-d",
            "data={\"name\": \"x\"}");
    assertThat(refused.status).isEqualTo(401);
    assertThat(refused.header("www-authenticate")).isEqualTo("Bearer");

    // Plain HTTP to the TLS port: the connection is closed (curl: empty reply / receive failure),
    // at
    // once, not at a timeout.
    int plain = curlExit("http://127.0.0.1:" + port + "/tasks");
    assertThat(plain).isIn(52, 56);
    // Without the CA, curl does not trust the server.
    assertThat(curlExit(https + "/tasks")).isEqualTo(60);
    // And TLS clients are still served.
    assertThat(
            curl("--cacert", certs.ca().toString(), https + "/tasks/7").json().get("name").asText())
        .isEqualTo("seven");
  }

  @Test
  void tls_restClientWithCa_isServed_andAPlainOrUntrustingClientIsRefusedCleanly()
      throws Exception {
    Server server = start(true, serverTls());
    int port = server.port("rest");

    try (Client client = Transports.connect("rest://localhost:" + port + "?ca=" + certs.ca())) {
      TaskService tasks = client.service(TaskService.DESCRIPTOR);
      assertThat(tasks.list()).hasSize(3);
      assertThatThrownBy(() -> tasks.put(new Task(7, "x")))
          .isInstanceOfSatisfying(
              ServiceException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED));
      assertThat(
              client
                  .withBearerToken("w-token")
                  .service(TaskService.DESCRIPTOR)
                  .put(new Task(7, "seven"))
                  .created())
          .isTrue();
      assertThat(tasks.get(7)).isEqualTo(new Task(7, "seven"));
    }
    try (RestClient client =
        RestClient.builder().target("127.0.0.1", port).ca(certs.ca()).build()) {
      assertThat(client.toString()).contains("https://127.0.0.1:");
      assertThat(client.service(TaskService.DESCRIPTOR).get(7)).isEqualTo(new Task(7, "seven"));
    }
    // A plain RestClient against the TLS port fails, and does not hang.
    try (RestClient client = RestClient.of("127.0.0.1", port)) {
      assertThatThrownBy(() -> client.service(TaskService.DESCRIPTOR).list())
          .isInstanceOf(TransportException.class);
    }
    // The JDK's default trust does not know the test CA.
    try (Client client = Transports.connect("rest://localhost:" + port + "?tls=true")) {
      assertThatThrownBy(() -> client.service(TaskService.DESCRIPTOR).list())
          .isInstanceOf(TransportException.class);
    }
  }

  @Test
  @Interop
  void mutualTls_require_curlWithACertificate_isServedAndSeen_withoutOneRefused() throws Exception {
    Server server = start(false, serverTls().withClientCa(certs.ca(), Tls.ClientAuth.REQUIRE));
    int port = server.port("rest");
    String seen = "https://localhost:" + port + "/probe/seen?note=m";

    Answer a =
        curl(
            "--cacert",
            certs.ca().toString(),
            "--cert",
            certs.clientCert().toString(),
            "--key",
            certs.clientKey().toString(),
            seen);
    assertThat(a.status).isEqualTo(200);
    assertThat(a.json().get("certificate").asText()).isEqualTo("CN=test client");
    assertThat(a.json().get("peer").asText()).isEqualTo("127.0.0.1");

    // Without a certificate: the handshake fails (curl: SSL error or receive failure), never an
    // answer.
    int exit = curlExit("--cacert", certs.ca().toString(), seen);
    assertThat(exit).isIn(35, 56);
  }

  @Test
  void mutualTls_require_restClientWithACertificate_isServedAndSeen_withoutOneRefused()
      throws Exception {
    Server server = start(false, serverTls().withClientCa(certs.ca(), Tls.ClientAuth.REQUIRE));
    int port = server.port("rest");
    String uri =
        "rest://localhost:"
            + port
            + "?ca="
            + certs.ca()
            + "&cert="
            + certs.clientCert()
            + "&key="
            + certs.clientKey();
    try (Client client = Transports.connect(uri)) {
      assertThat(client.service(Probe.class).seen("j").certificate()).isEqualTo("CN=test client");
    }
    try (RestClient client =
        RestClient.builder()
            .target("localhost", port)
            .ca(certs.ca())
            .cert(certs.clientCert())
            .key(certs.clientKey())
            .build()) {
      assertThat(client.service(Probe.class).seen("k").certificate()).isEqualTo("CN=test client");
    }
    try (RestClient client =
        RestClient.builder().target("localhost", port).ca(certs.ca()).build()) {
      assertThatThrownBy(() -> client.service(Probe.class).seen("n"))
          .isInstanceOf(TransportException.class);
    }
  }

  @Test
  void clientOptions_certWithoutKey_isRefused() {
    assertThatThrownBy(() -> Transports.connect("rest://localhost:1?cert=" + certs.clientCert()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cert given without key");
    assertThatThrownBy(() -> Transports.connect("rest://localhost:1?tls=maybe"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tls");
  }

  // ---- curl ------------------------------------------------------------------------------------

  /** One answer as curl saw it; header names lower case. */
  private record Answer(int status, Map<String, String> headers, String body) {
    String header(String name) {
      return headers.get(name);
    }

    JsonNode json() throws IOException {
      return JSON.readTree(body);
    }
  }

  /** Runs curl with {@code -i}; fails unless curl exits 0. */
  private static Answer curl(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("curl", "-s", "-i", "--max-time", "20"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("curl finished").isTrue();
    assertThat(p.exitValue()).as("curl exit code").isZero();
    int end = out.indexOf("\r\n\r\n");
    String[] lines = out.substring(0, end).split("\r\n", -1);
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.put(
          lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
          lines[i].substring(colon + 1).trim());
    }
    return new Answer(Integer.parseInt(lines[0].split(" ", 3)[1]), headers, out.substring(end + 4));
  }

  /** Runs curl expecting it to fail; returns its exit code (28 would be a timeout). */
  private static int curlExit(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("curl", "-s", "--max-time", "20"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("curl finished").isTrue();
    return p.exitValue();
  }
}
