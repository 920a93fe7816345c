package dev.ipc.graphql;

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
import dev.ipc.core.Saved;
import dev.ipc.core.Server;
import dev.ipc.core.ServiceException;
import dev.ipc.core.Task;
import dev.ipc.core.TaskService;
import dev.ipc.core.Transports;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Authentication, roles, the call context and response metadata over GraphQL, against a real server
 * on port 0: plain HTTP POSTs as any GraphQL client sends them, and {@link GraphqlClient}.
 */
@Timeout(60)
class GraphqlSecurityTest {
  static final Map<String, Principal> TOKENS =
      Map.of("w-token", Principal.of("wanda", "writer"), "r-token", Principal.of("rita", "reader"));
  private static final String PUT = "mutation { putTask(id: 5, name: \"x\") { id } }";
  private static final String READ_5 = "{ task(id: 5) { id name } }";

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();
  private final ObjectMapper json = new ObjectMapper();
  private final List<String> seen = new CopyOnWriteArrayList<>();
  private Server server;
  private int port;

  @BeforeEach
  void start() {
    TaskService store = Reference.tasks();
    // The service reads the context without its interface changing.
    TaskService tasks =
        new TaskService() {
          @Override
          public List<Task> list() {
            return store.list();
          }

          @Override
          public Task get(long id) {
            return store.get(id);
          }

          @Override
          public Saved<Task> put(Task task) {
            CallContext c = CallContext.current();
            seen.add(
                c.transport()
                    + " "
                    + c.principal().name()
                    + " from "
                    + c.peer().getAddress().getHostAddress()
                    + " request "
                    + c.metadata().get("X-Request-Id"));
            return store.put(task);
          }
        };
    server =
        Transports.builder()
            .services(List.of(Reference.dating(), tasks, Reference.person()))
            .transport(GraphqlTransport.builder().host("127.0.0.1").port(0).build())
            .authenticate(TOKENS::get)
            .interceptor(
                (ctx, request, next) -> {
                  ctx.responseMetadata().add("x-served-by", "ipc");
                  ctx.responseMetadata()
                      .add(
                          "x-call",
                          ctx.operation().name()
                              + " "
                              + (request instanceof Object[] a ? Arrays.toString(a) : request));
                  return next.proceed(request);
                })
            .start();
    port = server.port("graphql");
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void putOverHttp_needsAWriter_andARefusedPutChangesNothing() throws Exception {
    HttpResponse<String> none = post(PUT, null);
    assertRefused(none, ErrorCode.UNAUTHENTICATED, "UNAUTHORIZED");
    assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
    assertThat(code(post(READ_5, null))).isEqualTo("NOT_FOUND");

    HttpResponse<String> bad = post(PUT, "stolen");
    assertRefused(bad, ErrorCode.UNAUTHENTICATED, "UNAUTHORIZED");
    assertThat(bad.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
    assertThat(bad.body()).doesNotContain("stolen");
    assertThat(code(post(READ_5, null))).isEqualTo("NOT_FOUND");

    HttpResponse<String> reader = post(PUT, "r-token");
    assertRefused(reader, ErrorCode.PERMISSION_DENIED, "FORBIDDEN");
    assertThat(reader.headers().firstValue("WWW-Authenticate")).isEmpty();
    assertThat(code(post(READ_5, null))).isEqualTo("NOT_FOUND");
    assertThat(seen).isEmpty();

    HttpResponse<String> writer = post(PUT, "w-token");
    assertThat(writer.statusCode()).isEqualTo(200);
    assertThat(writer.headers().firstValue("WWW-Authenticate")).isEmpty();
    assertThat(json.readTree(writer.body()).path("data").path("putTask").path("id").asLong())
        .isEqualTo(5);
    assertThat(json.readTree(writer.body()).has("errors")).isFalse();
    assertThat(
            json.readTree(post(READ_5, null).body())
                .path("data")
                .path("task")
                .path("name")
                .asText())
        .isEqualTo("x");
    assertThat(seen).containsExactly("graphql wanda from 127.0.0.1 request req-7");
  }

  @Test
  void readsArePublic_butABadTokenIsRefusedEvenOnARead() throws Exception {
    HttpResponse<String> anonymous = post("{ tasks { id } }", null);
    assertThat(anonymous.statusCode()).isEqualTo(200);
    assertThat(json.readTree(anonymous.body()).path("data").path("tasks")).hasSize(3);
    assertThat(anonymous.headers().firstValue("WWW-Authenticate")).isEmpty();

    HttpResponse<String> reader = post("{ tasks { id } }", "r-token");
    assertThat(json.readTree(reader.body()).path("data").path("tasks")).hasSize(3);

    HttpResponse<String> bad = post("{ tasks { id } name }", "stolen");
    assertThat(bad.statusCode()).isEqualTo(200);
    JsonNode body = json.readTree(bad.body());
    // Each field is a call, and each is refused: no data leaks to a wrong token.
    assertThat(body.path("data").path("tasks").isNull()).isTrue();
    assertThat(body.path("data").path("name").isNull()).isTrue();
    assertThat(body.path("errors")).hasSize(2);
    for (JsonNode e : body.path("errors")) {
      assertThat(e.path("extensions").path("code").asText()).isEqualTo("UNAUTHENTICATED");
      assertThat(e.path("message").asText()).isEqualTo("invalid credentials");
    }
    assertThat(bad.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");

    // Over GET too, as the article's curl sends queries.
    HttpResponse<String> get =
        http.send(
            HttpRequest.newBuilder(URI.create(base() + "?query=%7Bname%7D"))
                .header("Authorization", "Bearer stolen")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(get.statusCode()).isEqualTo(200);
    assertThat(code(get)).isEqualTo("UNAUTHENTICATED");
    assertThat(get.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
  }

  @Test
  void interceptorResponseMetadata_arrivesAsResponseHeaders_distinctValuesOfEveryField()
      throws Exception {
    HttpResponse<String> one = post("{ task(id: 1) { id } }", null);
    assertThat(one.headers().allValues("x-served-by")).containsExactly("ipc");
    assertThat(one.headers().allValues("x-call")).containsExactly("get [1]");

    // Two fields, two calls: the value both add is sent once, the values that differ are all sent.
    HttpResponse<String> two = post("{ a: task(id: 1) { id } b: task(id: 2) { id } }", null);
    assertThat(two.headers().allValues("x-served-by")).containsExactly("ipc");
    assertThat(two.headers().allValues("x-call")).containsExactly("get [1]", "get [2]");

    // Failed calls answer their metadata too.
    HttpResponse<String> refused = post(PUT, "r-token");
    assertThat(refused.headers().allValues("x-served-by"))
        .isEmpty(); // refused before the interceptors
    HttpResponse<String> missing = post("{ task(id: 99) { id } }", null);
    assertThat(code(missing)).isEqualTo("NOT_FOUND");
    assertThat(missing.headers().allValues("x-served-by")).containsExactly("ipc");
  }

  @Test
  void graphqlClient_sendsItsBearerToken() {
    try (GraphqlClient client = GraphqlClient.of("127.0.0.1", port)) {
      TaskService anonymous = client.service(TaskService.DESCRIPTOR);
      assertThat(anonymous.get(1)).isEqualTo(new Task(1, "task1"));
      assertCode(() -> anonymous.put(new Task(5, "x")), ErrorCode.UNAUTHENTICATED);
      assertCode(
          () -> client.withBearerToken("stolen").service(TaskService.DESCRIPTOR).get(1),
          ErrorCode.UNAUTHENTICATED);
      assertCode(
          () ->
              client
                  .withBearerToken("r-token")
                  .service(TaskService.DESCRIPTOR)
                  .put(new Task(5, "x")),
          ErrorCode.PERMISSION_DENIED);
      assertCode(() -> anonymous.get(5), ErrorCode.NOT_FOUND);

      Client writer =
          client.withMetadata(
              Metadata.of("authorization", "Bearer w-token", "x-request-id", "req-9"));
      Saved<Task> saved = writer.service(TaskService.DESCRIPTOR).put(new Task(5, "x"));
      assertThat(saved.created()).isTrue();
      assertThat(anonymous.get(5)).isEqualTo(new Task(5, "x"));
      assertThat(seen).containsExactly("graphql wanda from 127.0.0.1 request req-9");
    }
    try (Client client = Transports.connect("graphql://127.0.0.1:" + port)) {
      assertThat(
              client
                  .withBearerToken("w-token")
                  .service(TaskService.DESCRIPTOR)
                  .put(new Task(6, "y"))
                  .created())
          .isTrue();
    }
  }

  @Test
  void graphqlClient_refusesMetadataHttpCannotCarry_withoutShowingTheValue() {
    try (GraphqlClient client = GraphqlClient.of("127.0.0.1", port)) {
      TaskService tasks =
          client
              .withMetadata(Metadata.of("authorization", "Bearer w-token\r\nx-evil: 1"))
              .service(TaskService.DESCRIPTOR);
      assertThatThrownBy(() -> tasks.get(1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("authorization")
          .hasMessageNotContaining("w-token");
    }
  }

  @Test
  void responseMetadata_neverReplacesTheAnswersOwnHeaders_norBreaksIt() throws Exception {
    try (Server other =
        Transports.builder()
            .services(Reference.services())
            .transport(GraphqlTransport.builder().host("127.0.0.1").port(0).build())
            .interceptor(
                (ctx, request, next) -> {
                  ctx.responseMetadata()
                      .add("content-type", "text/html")
                      .add("content-length", "0")
                      .add("x-split", "a\r\nset-cookie: evil=1")
                      .add("x-fine", "ok");
                  return next.proceed(request);
                })
            .start()) {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(
                      URI.create(
                          "http://127.0.0.1:"
                              + other.port("graphql")
                              + "/graphql?query=%7Bname%7D"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("{\"data\":{\"name\":\"Rootkit\"}}");
      assertThat(r.headers().allValues("content-type"))
          .containsExactly("application/json; charset=utf-8");
      assertThat(r.headers().map()).doesNotContainKeys("x-split", "set-cookie");
      assertThat(r.headers().allValues("x-fine")).containsExactly("ok");
    }
  }

  @Test
  void clientTlsOptions_areCheckedBeforeAnyConnection() {
    assertThatThrownBy(() -> Transports.connect("graphql://127.0.0.1:" + port + "?cert=/tmp/a.pem"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cert and key");
    assertThatThrownBy(
            () -> Transports.connect("graphql://127.0.0.1:" + port + "?tls=false&ca=/tmp/ca.pem"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tls: false");
    assertThatThrownBy(
            () -> Transports.connect("graphql://127.0.0.1:" + port + "?ca=/no/such/ca.pem"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("/no/such/ca.pem");
    assertThatThrownBy(() -> Transports.connect("graphql://127.0.0.1:" + port + "?trust=x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("timeout, tls, ca, cert or key");
  }

  private static void assertCode(Runnable call, ErrorCode code) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(ServiceException.class, e -> assertThat(e.code()).isEqualTo(code));
  }

  private void assertRefused(HttpResponse<String> response, ErrorCode code, String classification)
      throws Exception {
    // A refused field is a field error as any other: 200, data.putTask null, the code in
    // extensions.
    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode body = json.readTree(response.body());
    assertThat(body.path("data").has("putTask")).isTrue();
    assertThat(body.path("data").path("putTask").isNull()).isTrue();
    JsonNode error = body.path("errors").path(0);
    assertThat(error.path("path").path(0).asText()).isEqualTo("putTask");
    assertThat(error.path("extensions").path("code").asText()).isEqualTo(code.name());
    assertThat(error.path("extensions").path("classification").asText()).isEqualTo(classification);
  }

  private String code(HttpResponse<String> response) throws Exception {
    return json.readTree(response.body())
        .path("errors")
        .path(0)
        .path("extensions")
        .path("code")
        .asText();
  }

  private String base() {
    return "http://127.0.0.1:" + port + "/graphql";
  }

  private HttpResponse<String> post(String query, String token) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base()))
            .header("Content-Type", "application/json")
            .header("X-Request-Id", "req-7")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    json.writeValueAsString(Map.of("query", query))));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
