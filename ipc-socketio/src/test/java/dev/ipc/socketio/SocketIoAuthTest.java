package dev.ipc.socketio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ipc.core.CallContext;
import dev.ipc.core.ErrorCode;
import dev.ipc.core.Metadata;
import dev.ipc.core.Principal;
import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.ServiceException;
import dev.ipc.core.Task;
import dev.ipc.core.TaskService;
import dev.ipc.core.TransportException;
import dev.ipc.core.Transports;
import dev.ipc.core.testing.Interop;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Authentication over Socket.IO, once per connection at the client's CONNECT: python-socketio,
 * socket.io-client v4 and SocketIoClient with no token, a bad one, a reader's and a writer's.
 */
@Timeout(120)
class SocketIoAuthTest {
  private static final String READER = "reader-token-1";
  private static final String WRITER = "writer-token-2";
  private static final String BAD = "no-such-token";
  private static final Map<String, Principal> TOKENS =
      Map.of(READER, Principal.of("rita", "reader"), WRITER, Principal.of("walt", "writer"));

  private Server server;

  /** Every token the verifier was given, to prove each connection is checked once. */
  private final List<String> verified = new CopyOnWriteArrayList<>();

  private int start(List<?> services) {
    server =
        Transports.builder()
            .services(services)
            .transport(SocketIoTransport.builder().host("127.0.0.1").port(0).build())
            .authenticate(
                token -> {
                  verified.add(token);
                  return TOKENS.get(token);
                })
            .start();
    return server.port("socketio");
  }

  @AfterEach
  void close() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  @Interop
  void python_noTokenBadTokenReaderWriter() throws Exception {
    int port = start(Reference.services());

    JsonNode r = Processes.python("auth.py", "http://127.0.0.1:" + port, READER, WRITER, BAD);

    assertRefusalsAndWrite(r, 7, "writer");
  }

  @Test
  @Interop
  void node_noTokenBadTokenReaderWriter() throws Exception {
    int port = start(Reference.services());

    JsonNode r = Processes.node("auth.js", "http://127.0.0.1:" + port, READER, WRITER, BAD);

    assertRefusalsAndWrite(r, 8, "writer");
  }

  private void assertRefusalsAndWrite(JsonNode r, long id, String name) {
    // No token: an anonymous connection; reads are public, the put is refused per call.
    assertThat(r.get("none").get("list").size()).isEqualTo(3);
    assertThat(r.get("none").get("put").get("error").get("code").asText())
        .isEqualTo("UNAUTHENTICATED");
    // A bad token: a connect error, no connection.
    assertThat(r.get("bad").get("connectError").asText()).contains("invalid credentials");
    // A reader: refused, and the refused puts changed nothing.
    assertThat(r.get("reader").get("put").get("error").get("code").asText())
        .isEqualTo("PERMISSION_DENIED");
    assertThat(r.get("reader").get("get").get("error").get("code").asText()).isEqualTo("NOT_FOUND");
    // A writer: the put is done.
    JsonNode put = r.get("writer").get("put");
    // python-socketio answers a two-argument ack ({"created":true} second) as a list.
    assertThat((put.isArray() ? put.get(0) : put).get("id").asLong()).isEqualTo(id);
    assertThat(r.get("writer").get("get").get("name").asText()).isEqualTo(name);
    // Once per connection: three tokens, three checks, whatever the number of calls.
    assertThat(verified).containsExactly(BAD, READER, WRITER);
  }

  @Test
  void javaClient_tokenFromTheBuilder() {
    int port = start(Reference.services());

    try (SocketIoClient anonymous = SocketIoClient.of("127.0.0.1", port);
        SocketIoClient reader =
            SocketIoClient.builder().target("127.0.0.1", port).token(READER).build();
        SocketIoClient writer =
            SocketIoClient.builder().target("127.0.0.1", port).token(WRITER).build()) {
      TaskService tasks = anonymous.service(TaskService.class);
      assertThat(tasks.get(1).name()).isEqualTo("task1");
      assertThatThrownBy(() -> tasks.put(new Task(9, "anonymous")))
          .isInstanceOfSatisfying(
              ServiceException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED));
      assertThatThrownBy(() -> reader.service(TaskService.class).put(new Task(9, "reader")))
          .isInstanceOfSatisfying(
              ServiceException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.PERMISSION_DENIED));
      assertThatThrownBy(() -> tasks.get(9))
          .isInstanceOfSatisfying(
              ServiceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));

      assertThat(writer.service(TaskService.class).put(new Task(9, "writer")).created()).isTrue();
      assertThat(tasks.get(9).name()).isEqualTo("writer");
    }
  }

  @Test
  void javaClient_badTokenIsAConnectError() {
    int port = start(Reference.services());

    try (SocketIoClient bad =
        SocketIoClient.builder()
            .target("127.0.0.1", port)
            .token(BAD)
            .timeout(Duration.ofSeconds(5))
            .build()) {
      assertThatThrownBy(() -> bad.service(TaskService.class).get(1))
          .isInstanceOf(TransportException.class)
          .hasMessageContaining("invalid credentials")
          .hasMessageNotContaining(BAD);
      assertThat(bad.connected()).isFalse();
    }
  }

  @Test
  void javaClient_perCallCredentialsAreRefusedNamingTheBuilderOption() {
    int port = start(Reference.services());

    try (SocketIoClient client = SocketIoClient.of("127.0.0.1", port)) {
      assertThatThrownBy(() -> client.withBearerToken(WRITER))
          .isInstanceOf(UnsupportedOperationException.class)
          .hasMessageContaining("builder().token(")
          .hasMessageNotContaining(WRITER);
      assertThatThrownBy(
              () -> client.withMetadata(Metadata.of("Authorization", "Bearer " + WRITER)))
          .isInstanceOf(UnsupportedOperationException.class)
          .hasMessageContaining("builder().token(")
          .hasMessageNotContaining(WRITER);
      assertThatThrownBy(
              () ->
                  client.call(
                      TaskService.DESCRIPTOR.operation("get"),
                      new Object[] {1L},
                      Metadata.of("cookie", "s=1")))
          .isInstanceOf(UnsupportedOperationException.class);
      // Other metadata goes with the call; empty metadata is no metadata.
      assertThat(
              client
                  .withMetadata(Metadata.of("x-trace", "1"))
                  .service(TaskService.class)
                  .get(1)
                  .name())
          .isEqualTo("task1");
      assertThat(client.withMetadata(Metadata.EMPTY).service(TaskService.class).get(1).name())
          .isEqualTo("task1");
    }
  }

  /** What a service saw of its call. */
  public record Seen(String transport, String peer, String header, String principal) {}

  /** A service that answers what {@link CallContext#current()} tells it. */
  public interface Whoami {
    Seen whoami(String header);
  }

  @Test
  void serviceSeesPeerHandshakeHeaderAndPrincipal() {
    Map<String, CallContext> contexts = new ConcurrentHashMap<>();
    Whoami whoami =
        header -> {
          CallContext c = CallContext.current();
          contexts.put(header, c);
          return new Seen(
              c.transport(),
              c.peer() == null ? "none" : c.peer().getAddress().getHostAddress(),
              String.valueOf(c.metadata().get(header)),
              c.principal() == null ? "anonymous" : c.principal().name() + c.principal().roles());
        };
    int port = start(List.of(whoami));

    try (SocketIoClient writer =
            SocketIoClient.builder()
                .target("127.0.0.1", port)
                .token(WRITER)
                .metadata(Metadata.of("x-tenant", "acme"))
                .build();
        SocketIoClient anonymous = SocketIoClient.of("127.0.0.1", port)) {
      assertThat(writer.service(Whoami.class).whoami("x-tenant"))
          .isEqualTo(new Seen("socketio", "127.0.0.1", "acme", "walt[writer]"));
      assertThat(anonymous.service(Whoami.class).whoami("x-tenant"))
          .isEqualTo(new Seen("socketio", "127.0.0.1", "null", "anonymous"));
    }
    // The token went in the handshake's auth, not in any header the service sees.
    assertThat(contexts.get("x-tenant").metadata().toString()).doesNotContain(WRITER);
  }

  @Test
  void authorizationHeaderOfTheHandshakeIsAcceptedToo() {
    int port = start(Reference.services());

    try (SocketIoClient writer =
        SocketIoClient.builder()
            .target("127.0.0.1", port)
            .metadata(Metadata.of("authorization", "Bearer " + WRITER))
            .build()) {
      assertThat(writer.service(TaskService.class).put(new Task(10, "by header")).created())
          .isTrue();
    }
    assertThat(verified).containsExactly(WRITER);
  }

  @Test
  void wire_connectErrorThenEventsRefusedUntilAConnectIsAdmitted() throws Exception {
    int port = start(Reference.services());

    try (RawSocketIo raw = RawSocketIo.open(java.net.http.HttpClient.newHttpClient(), port)) {
      // An event before any CONNECT: netty-socketio would serve it, authentication refuses it.
      raw.send("420[\"task:list\"]");
      assertThat(raw.next()).startsWith("430[{\"error\":{\"code\":\"UNAUTHENTICATED\"");

      raw.send("40{\"token\":\"" + BAD + "\"}");
      assertThat(raw.next()).isEqualTo("44{\"message\":\"invalid credentials\"}");
      raw.send("421[\"task:put\",{\"id\":11,\"name\":\"refused\"}]");
      assertThat(raw.next()).startsWith("431[{\"error\":{\"code\":\"UNAUTHENTICATED\"");

      // The same Engine.IO session may try again, as socket.io-client does after a connect error.
      raw.send("40{\"token\":\"" + WRITER + "\"}");
      assertThat(raw.next()).startsWith("40{\"sid\"");
      raw.send("422[\"task:put\",{\"id\":11,\"name\":\"eleven\"}]");
      // The ack and the task:saved broadcast, in either order.
      assertThat(List.of(raw.next(), raw.next()))
          .containsExactlyInAnyOrder(
              "432[{\"id\":11,\"name\":\"eleven\"},{\"created\":true}]",
              "42[\"task:saved\",{\"id\":11,\"name\":\"eleven\"}]");
    }
  }

  @Test
  void aSlowVerifierHoldsOnlyItsOwnConnectWhileOthersConnectAndCall() throws Exception {
    java.util.concurrent.CountDownLatch verifying = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    server =
        Transports.builder()
            .services(Reference.services())
            // One event loop: a verifier blocking it would stall every other client.
            .transport(
                SocketIoTransport.builder().host("127.0.0.1").port(0).workerThreads(1).build())
            .authenticate(
                token -> {
                  if (token.equals("slow")) {
                    verifying.countDown();
                    try {
                      release.await();
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                    return Principal.of("sam", "writer");
                  }
                  return TOKENS.get(token);
                })
            .start();
    int port = server.port("socketio");
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();

    try (RawSocketIo slow = RawSocketIo.open(http, port)) {
      slow.send("40{\"token\":\"slow\"}");
      // Sent before the connect is answered: waits behind it, then runs as the verified principal.
      slow.send("421[\"task:put\",{\"id\":20,\"name\":\"after the verifier\"}]");
      assertThat(verifying.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

      try (RawSocketIo anonymous = RawSocketIo.connect(http, port);
          RawSocketIo reader = RawSocketIo.open(http, port)) {
        anonymous.send("421[\"task:get\",{\"id\":1}]");
        assertThat(anonymous.next()).isEqualTo("431[{\"id\":1,\"name\":\"task1\"}]");
        reader.send("40{\"token\":\"" + READER + "\"}");
        assertThat(reader.next()).startsWith("40{\"sid\"");
      }

      release.countDown();
      assertThat(slow.next()).startsWith("40{\"sid\"");
      assertThat(List.of(slow.next(), slow.next()))
          .containsExactlyInAnyOrder(
              "431[{\"id\":20,\"name\":\"after the verifier\"},{\"created\":true}]",
              "42[\"task:saved\",{\"id\":20,\"name\":\"after the verifier\"}]");
    } finally {
      release.countDown();
    }
  }
}
