package dev.ipc.socketio;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ipc.core.Feed;
import dev.ipc.core.Principal;
import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.Task;
import dev.ipc.core.TaskService;
import dev.ipc.core.Transports;
import dev.ipc.core.annotation.Event;
import dev.ipc.core.annotation.Mutation;
import dev.ipc.core.annotation.Publishes;
import dev.ipc.core.annotation.Roles;
import dev.ipc.core.testing.Interop;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Flow;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Live feeds over Socket.IO: {@code task:watchTasks} subscribes with a filter, values arrive as
 * {@code task:saved} to the watcher only, {@code task:watchTasks:cancel} and the connection's end
 * cancel, a slow reader is ended while a fast one gets everything, roles guard both the subscribe
 * and the broadcast. socket.io-client v4, python-socketio 5 and hand-driven WebSockets against a
 * real server.
 */
@Timeout(120)
class SocketIoStreamTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String READER = "reader-token";
  private static final String OTHER = "other-token";
  private static final String WRITER = "writer-token";
  private static final Map<String, Principal> TOKENS =
      Map.of(
          READER, Principal.of("rita", "reader"),
          OTHER, Principal.of("olga", "other"),
          WRITER, Principal.of("walt", "writer"));

  /** A note on a board. */
  public record Note(long id, String text) {}

  /** A test service: posting is public, watching the posts needs role {@code reader}. */
  public interface Board {
    @Mutation
    @Publishes("note:posted")
    Note post(Note note);

    @Roles("reader")
    @Event(items = "note:posted")
    default Flow.Publisher<Note> watchNotes() {
      return Feed.published("note:posted", Note.class);
    }
  }

  private static final Board BOARD = note -> note;

  private Server server;
  private final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void close() {
    if (server != null) {
      server.close();
    }
  }

  private int start(Transports.Builder builder, List<?> services) {
    server =
        builder
            .services(services)
            .transport(SocketIoTransport.builder().host("127.0.0.1").port(0).build())
            .start();
    return server.port("socketio");
  }

  private int start() {
    return start(Transports.builder(), Reference.services());
  }

  @Test
  @Interop
  void node_watchWithAFilterCancelAndTheBroadcastBeside() throws Exception {
    int port = start();

    for (String transports : List.of("websocket", "polling")) {
      JsonNode r =
          Processes.node(
              "watch.js",
              "http://127.0.0.1:" + port,
              transports,
              transports.equals("polling") ? 100 : 0);
      assertWatchScenario(r, transports.equals("polling") ? 100 : 0);
    }
    awaitStreams(0);
  }

  @Test
  @Interop
  void python_watchWithAFilterCancelAndTheBroadcastBeside() throws Exception {
    int port = start();

    for (String transports : List.of("websocket", "polling")) {
      int base = transports.equals("polling") ? 100 : 0;
      assertWatchScenario(
          Processes.python("watch.py", "http://127.0.0.1:" + port, transports, base), base);
    }
    awaitStreams(0);
  }

  /** Ids 4..7 put, the watcher of 5..6 cancels, 9 put: see watch.js and watch.py. */
  private static void assertWatchScenario(JsonNode r, int base) throws Exception {
    assertThat(r.get("ack")).isEqualTo(JSON.readTree("{}"));
    assertThat(r.get("badFilter").get("error").get("code").asText()).isEqualTo("INVALID_ARGUMENT");
    // Only its range while it watches, never twice, and the broadcast again once it cancelled.
    assertThat(ids(r.get("watcher"))).containsExactly(base + 5L, base + 6L, base + 9L);
    assertThat(r.get("watcher").get(0).get("name").asText()).isEqualTo("t" + (base + 5));
    assertThat(r.get("cancelAck")).isEqualTo(JSON.readTree("{}"));
    // A client without a watch gets every save, as before.
    assertThat(ids(r.get("other")))
        .containsExactly(base + 4L, base + 5L, base + 6L, base + 7L, base + 9L);
  }

  private static List<Long> ids(JsonNode tasks) {
    List<Long> ids = new ArrayList<>();
    tasks.forEach(t -> ids.add(t.get("id").asLong()));
    return ids;
  }

  @Test
  void wire_aWatcherGetsItsWatchOnlyOnceAndASecondSubscribeReplacesTheFirst() throws Exception {
    int port = start();
    try (RawSocketIo watcher = RawSocketIo.connect(http, port);
        RawSocketIo plain = RawSocketIo.connect(http, port);
        SocketIoClient writer = SocketIoClient.of("127.0.0.1", port)) {
      watcher.send("421[\"task:watchTasks\",{\"fromId\":100}]");
      assertThat(watcher.next()).isEqualTo("431[{}]");
      awaitStreams(1);
      // Replaces the first: still one stream, now of every save.
      watcher.send("422[\"task:watchTasks\",{}]");
      assertThat(watcher.next()).isEqualTo("432[{}]");
      awaitStreams(1);

      writer.service(TaskService.class).put(new Task(5, "five"));
      writer.service(TaskService.class).put(new Task(6, "six"));
      assertThat(watcher.next()).isEqualTo("42[\"task:saved\",{\"id\":5,\"name\":\"five\"}]");
      assertThat(watcher.next()).isEqualTo("42[\"task:saved\",{\"id\":6,\"name\":\"six\"}]");
      assertThat(plain.next()).isEqualTo("42[\"task:saved\",{\"id\":5,\"name\":\"five\"}]");
      assertThat(plain.next()).isEqualTo("42[\"task:saved\",{\"id\":6,\"name\":\"six\"}]");

      // Dropped without a disconnect packet: its stream ends on the server.
      watcher.abort();
      awaitStreams(0);
    }
  }

  @Test
  void wire_serverCloseEndsTheWatchWithADisconnect() throws Exception {
    int port = start();
    try (RawSocketIo watcher = RawSocketIo.connect(http, port);
        SocketIoClient writer = SocketIoClient.of("127.0.0.1", port)) {
      watcher.send("421[\"task:watchTasks\"]");
      assertThat(watcher.next()).isEqualTo("431[{}]");
      writer.service(TaskService.class).put(new Task(7, "seven"));
      assertThat(watcher.next()).isEqualTo("42[\"task:saved\",{\"id\":7,\"name\":\"seven\"}]");

      server.close();

      // The Socket.IO disconnect packet, then the close.
      assertThat(watcher.next()).isEqualTo("41");
      assertThat(server.openStreams()).isZero();
    }
  }

  @Test
  void wire_aReaderThatStopsIsEndedWithTheErrorEventWhileAFastOneGetsEverything() throws Exception {
    int port = start(Transports.builder().streamBuffer(8), List.of(BOARD));
    String text = "n".repeat(10_000);
    try (DirectWritesTest.TcpWebSocket slow = DirectWritesTest.TcpWebSocket.connect(port, 4096);
        RawSocketIo fast = RawSocketIo.connect(http, port);
        SocketIoClient poster = SocketIoClient.of("127.0.0.1", port)) {
      slow.send("421[\"board:watchNotes\"]");
      assertThat(slow.next()).isEqualTo("431[{}]");
      fast.send("421[\"board:watchNotes\"]");
      assertThat(fast.next()).isEqualTo("431[{}]");
      awaitStreams(2);

      // Posts until the slow one is ended (bounded: 20,000 posts would be 200 MB).
      Board board = poster.service(Board.class);
      int posted = 0;
      while (server.openStreams() == 2 && posted < 20_000) {
        posted++;
        board.post(new Note(posted, text));
      }
      awaitStreams(1);
      for (int i = 1; i <= posted; i++) {
        JsonNode m = JSON.readTree(fast.next().substring(2));
        assertThat(m.get(0).asText()).isEqualTo("note:posted");
        assertThat(m.get(1).get("id").asLong()).isEqualTo(i);
      }

      // The slow one reads at last: some notes, in order but not all, then the error event (its
      // watch over, the broadcast of note:posted reaches it again after that).
      long last = 0;
      int heard = 0;
      String m;
      while ((m = slow.next()).startsWith("42[\"note:posted\"")) {
        long id = JSON.readTree(m.substring(2)).get(1).get("id").asLong();
        assertThat(id).isGreaterThan(last);
        last = id;
        heard++;
      }
      assertThat(heard).isLessThan(posted);
      JsonNode error = JSON.readTree(m.substring(2));
      assertThat(error.get(0).asText()).isEqualTo("board:watchNotes:error");
      assertThat(error.get(1).get("code").asText()).isEqualTo("RESOURCE_EXHAUSTED");
      assertThat(error.get(1).get("message").asText()).isNotBlank();
    }
  }

  @Test
  void roles_guardTheSubscribeAndTheBroadcast() throws Exception {
    List<Object> services = new ArrayList<>(Reference.services());
    services.add(BOARD);
    int port = start(Transports.builder().authenticate(TOKENS::get), services);
    try (RawSocketIo anonymous = RawSocketIo.connect(http, port);
        RawSocketIo other = connect(port, OTHER);
        RawSocketIo reader = connect(port, READER);
        RawSocketIo watcher = connect(port, READER);
        SocketIoClient poster =
            SocketIoClient.builder().target("127.0.0.1", port).token(WRITER).build()) {
      anonymous.send("421[\"board:watchNotes\"]");
      assertThat(anonymous.next()).startsWith("431[{\"error\":{\"code\":\"UNAUTHENTICATED\"");
      other.send("421[\"board:watchNotes\"]");
      assertThat(other.next()).startsWith("431[{\"error\":{\"code\":\"PERMISSION_DENIED\"");
      watcher.send("421[\"board:watchNotes\"]");
      assertThat(watcher.next()).isEqualTo("431[{}]");
      awaitStreams(1);

      poster.service(Board.class).post(new Note(1, "for readers"));
      // The marker every connection may read: task:saved has no role.
      poster.service(TaskService.class).put(new Task(12, "marker"));

      String note = "42[\"note:posted\",{\"id\":1,\"text\":\"for readers\"}]";
      String marker = "42[\"task:saved\",{\"id\":12,\"name\":\"marker\"}]";
      assertThat(reader.next()).isEqualTo(note);
      assertThat(reader.next()).isEqualTo(marker);
      assertThat(watcher.next()).isEqualTo(note);
      assertThat(watcher.next()).isEqualTo(marker);
      // Not admitted to watchNotes: no note:posted broadcast, the marker comes first.
      assertThat(anonymous.next()).isEqualTo(marker);
      assertThat(other.next()).isEqualTo(marker);
    }
  }

  @Test
  void javaClient_aRefusedSubscribeEndsThePublisherWithTheServersCode() throws Exception {
    List<Object> services = new ArrayList<>(Reference.services());
    services.add(BOARD);
    int port = start(Transports.builder().authenticate(TOKENS::get), services);
    try (SocketIoClient other =
            SocketIoClient.builder().target("127.0.0.1", port).token(OTHER).build();
        SocketIoClient reader =
            SocketIoClient.builder().target("127.0.0.1", port).token(READER).build()) {
      java.util.concurrent.CompletableFuture<Throwable> refused =
          new java.util.concurrent.CompletableFuture<>();
      other
          .service(Board.class)
          .watchNotes()
          .subscribe(
              new Flow.Subscriber<Note>() {
                @Override
                public void onSubscribe(Flow.Subscription s) {
                  s.request(Long.MAX_VALUE);
                }

                @Override
                public void onNext(Note item) {
                  refused.completeExceptionally(new AssertionError("a note: " + item));
                }

                @Override
                public void onError(Throwable t) {
                  refused.complete(t);
                }

                @Override
                public void onComplete() {
                  refused.completeExceptionally(new AssertionError("completed"));
                }
              });
      assertThat(refused.get(30, java.util.concurrent.TimeUnit.SECONDS))
          .isInstanceOfSatisfying(
              dev.ipc.core.ServiceException.class,
              e -> assertThat(e.code()).isEqualTo(dev.ipc.core.ErrorCode.PERMISSION_DENIED));

      // A reader's stream gets the post; cancelling it ends it on the server.
      java.util.concurrent.LinkedBlockingQueue<Note> notes =
          new java.util.concurrent.LinkedBlockingQueue<>();
      Flow.Subscription[] subscription = new Flow.Subscription[1];
      reader
          .service(Board.class)
          .watchNotes()
          .subscribe(
              new Flow.Subscriber<Note>() {
                @Override
                public void onSubscribe(Flow.Subscription s) {
                  subscription[0] = s;
                  s.request(Long.MAX_VALUE);
                }

                @Override
                public void onNext(Note item) {
                  notes.add(item);
                }

                @Override
                public void onError(Throwable t) {}

                @Override
                public void onComplete() {}
              });
      awaitStreams(1);
      other.service(Board.class).post(new Note(3, "three"));
      assertThat(notes.poll(30, java.util.concurrent.TimeUnit.SECONDS))
          .isEqualTo(new Note(3, "three"));
      subscription[0].cancel();
      awaitStreams(0);
    }
  }

  private RawSocketIo connect(int port, String token) throws Exception {
    RawSocketIo raw = RawSocketIo.open(http, port);
    raw.send("40{\"token\":\"" + token + "\"}");
    assertThat(raw.next()).startsWith("40{\"sid\"");
    return raw;
  }

  private void awaitStreams(int n) throws InterruptedException {
    await(() -> server.openStreams() == n, "open streams: " + n);
  }

  static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 30 s: " + what);
      }
      Thread.sleep(10);
    }
  }
}
