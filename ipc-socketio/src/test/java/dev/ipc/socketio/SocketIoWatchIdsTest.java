package dev.ipc.socketio;

import static dev.ipc.socketio.SocketIoStreamTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ipc.core.ErrorCode;
import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.ServiceException;
import dev.ipc.core.Task;
import dev.ipc.core.TaskService;
import dev.ipc.core.Transports;
import dev.ipc.core.annotation.Event;
import dev.ipc.core.annotation.Param;
import dev.ipc.core.testing.Interop;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Named watches: one connection holds any number of watches, each value arrives with its watch's
 * id, a cancel or an error names the id; SocketIoClient multiplexes its subscribers on its one
 * connection that way. socket.io-client v4, hand-driven WebSockets and the Java client against a
 * real server.
 */
@Timeout(120)
class SocketIoWatchIdsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

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

  private int connections() {
    return server.stats().connections().get("socketio");
  }

  /** Takes everything, records it, and says how it ended. */
  private static final class Recorder implements Flow.Subscriber<Task> {
    final LinkedBlockingQueue<Task> values = new LinkedBlockingQueue<>();
    final CompletableFuture<Throwable> end = new CompletableFuture<>(); // null: completed
    volatile Flow.Subscription subscription;

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(Task item) {
      values.add(item);
    }

    @Override
    public void onError(Throwable t) {
      end.complete(t);
    }

    @Override
    public void onComplete() {
      end.complete(null);
    }
  }

  @Test
  void javaClient_threeHundredStreamsShareTheClientsOneConnectionAndAllCancel() throws Exception {
    int port = start();
    try (SocketIoClient client = SocketIoClient.of("127.0.0.1", port)) {
      TaskService tasks = client.service(TaskService.class);
      assertThat(tasks.get(1).name()).isEqualTo("task1");
      List<Recorder> watchers = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        Recorder r = new Recorder();
        tasks.watchTasks(null, null).subscribe(r);
        watchers.add(r);
      }
      await(() -> server.openStreams() == 300, "300 open streams");
      assertThat(connections()).isEqualTo(1);

      tasks.put(new Task(42, "to three hundred"));
      for (Recorder r : watchers) {
        assertThat(r.values.poll(30, TimeUnit.SECONDS)).isEqualTo(new Task(42, "to three hundred"));
      }
      // The connection's own calls go on beside them.
      assertThat(tasks.get(42).name()).isEqualTo("to three hundred");

      watchers.forEach(r -> r.subscription.cancel());
      await(() -> server.openStreams() == 0, "every stream cancelled");
      assertThat(connections()).isEqualTo(1);
      for (Recorder r : watchers) {
        assertThat(r.values).isEmpty();
        assertThat(r.end).isNotDone();
      }
    }
    await(() -> connections() == 0, "the client's session gone with it");
  }

  @Test
  void javaClient_filtersApartOnOneConnectionAndTheServersCloseCompletesEverySubscriber()
      throws Exception {
    int port = start();
    try (SocketIoClient client = SocketIoClient.of("127.0.0.1", port)) {
      TaskService tasks = client.service(TaskService.class);
      Recorder low = new Recorder();
      Recorder high = new Recorder();
      tasks.watchTasks(100L, 199L).subscribe(low);
      tasks.watchTasks(150L, null).subscribe(high);
      await(() -> server.openStreams() == 2, "two open streams");
      for (long id : new long[] {120, 160, 250}) {
        tasks.put(new Task(id, "t" + id));
      }
      assertThat(low.values.poll(30, TimeUnit.SECONDS).id()).isEqualTo(120);
      assertThat(low.values.poll(30, TimeUnit.SECONDS).id()).isEqualTo(160);
      assertThat(high.values.poll(30, TimeUnit.SECONDS).id()).isEqualTo(160);
      assertThat(high.values.poll(30, TimeUnit.SECONDS).id()).isEqualTo(250);
      assertThat(connections()).isEqualTo(1);

      server.close();

      assertThat(low.end.get(30, TimeUnit.SECONDS)).isNull();
      assertThat(high.end.get(30, TimeUnit.SECONDS)).isNull();
      assertThat(low.values).isEmpty();
      assertThat(high.values).isEmpty();
    }
  }

  @Test
  @Interop
  void node_namedWatchesWithOverlappingFiltersOnOneConnectionEachGetTheirValuesOnce()
      throws Exception {
    int port = start();
    for (String transports : List.of("websocket", "polling")) {
      int base = transports.equals("polling") ? 100 : 0;
      JsonNode r = Processes.node("watch_ids.js", "http://127.0.0.1:" + port, transports, base);

      JsonNode acks = r.get("acks");
      assertThat(acks.get("badId").get("error").get("code").asText())
          .as(transports)
          .isEqualTo("INVALID_ARGUMENT");
      for (String ack : List.of("w1", "w2", "unnamed", "cancelW1", "cancelW2", "cancelUnnamed")) {
        assertThat(acks.get(ack)).as(transports + " " + ack).isEqualTo(JSON.readTree("{}"));
      }
      JsonNode heard = r.get("heard");
      assertThat(ids(heard.get("w1")))
          .as(transports)
          .containsExactly(base + 5L, base + 6L, base + 7L);
      assertThat(ids(heard.get("w2")))
          .as(transports)
          .containsExactly(base + 6L, base + 7L, base + 8L, base + 9L);
      // The unnamed watch's one value, then (no watch left) the broadcast; none while it watched.
      assertThat(ids(heard.get("none"))).as(transports).containsExactly(base + 8L, base + 10L);
      assertThat(r.get("errors")).as(transports).isEmpty();
      assertThat(heard.size()).as(transports).isEqualTo(3);
    }
    await(() -> server.openStreams() == 0, "no stream left");
  }

  private static List<Long> ids(JsonNode ids) {
    List<Long> out = new ArrayList<>();
    ids.forEach(i -> out.add(i.asLong()));
    return out;
  }

  @Test
  void wire_valuesCarryTheIdTheSameIdReplacesAndCancelNamesIt() throws Exception {
    int port = start();
    try (RawSocketIo watcher = RawSocketIo.connect(http, port);
        SocketIoClient writer = SocketIoClient.of("127.0.0.1", port)) {
      watcher.send("421[\"task:watchTasks\",{\"fromId\":100},\"a\"]");
      assertThat(watcher.next()).isEqualTo("431[{}]");
      // The same id again replaces that watch: still one stream, now of every save.
      watcher.send("422[\"task:watchTasks\",{},\"a\"]");
      assertThat(watcher.next()).isEqualTo("432[{}]");
      watcher.send("423[\"task:watchTasks\",{\"toId\":5},\"b\"]");
      assertThat(watcher.next()).isEqualTo("433[{}]");
      await(() -> server.openStreams() == 2, "two open streams");
      await(() -> connections() == 2, "the watcher's and the writer's sessions");

      writer.service(TaskService.class).put(new Task(5, "five"));
      writer.service(TaskService.class).put(new Task(6, "six"));
      List<String> frames = List.of(watcher.next(), watcher.next(), watcher.next());
      assertThat(frames)
          .containsExactlyInAnyOrder(
              "42[\"task:saved\",{\"id\":5,\"name\":\"five\"},\"a\"]",
              "42[\"task:saved\",{\"id\":5,\"name\":\"five\"},\"b\"]",
              "42[\"task:saved\",{\"id\":6,\"name\":\"six\"},\"a\"]");

      watcher.send("424[\"task:watchTasks:cancel\",\"a\"]");
      assertThat(watcher.next()).isEqualTo("434[{}]");
      await(() -> server.openStreams() == 1, "one stream cancelled");
      // No unnamed watch to cancel: the named one stays.
      watcher.send("425[\"task:watchTasks:cancel\"]");
      assertThat(watcher.next()).isEqualTo("435[{}]");
      assertThat(server.openStreams()).isEqualTo(1);

      writer.service(TaskService.class).put(new Task(4, "four"));
      assertThat(watcher.next()).isEqualTo("42[\"task:saved\",{\"id\":4,\"name\":\"four\"},\"b\"]");

      // Dropped without a disconnect packet: every watch of the connection ends.
      watcher.abort();
      await(() -> server.openStreams() == 0, "no stream left");
      await(() -> connections() == 1, "the writer's session only");
    }
  }

  @Test
  void wire_aNamedWatchThatFallsBehindGetsTheErrorEventWithItsId() throws Exception {
    SocketIoStreamTest.Board board = note -> note;
    int port = start(Transports.builder().streamBuffer(8), List.of(board));
    String text = "n".repeat(10_000);
    try (DirectWritesTest.TcpWebSocket slow = DirectWritesTest.TcpWebSocket.connect(port, 4096);
        SocketIoClient poster = SocketIoClient.of("127.0.0.1", port)) {
      slow.send("421[\"board:watchNotes\",null,\"slow\"]");
      assertThat(slow.next()).isEqualTo("431[{}]");
      await(() -> server.openStreams() == 1, "one open stream");

      SocketIoStreamTest.Board posts = poster.service(SocketIoStreamTest.Board.class);
      int posted = 0;
      while (server.openStreams() == 1 && posted < 20_000) {
        posted++;
        posts.post(new SocketIoStreamTest.Note(posted, text));
      }
      await(() -> server.openStreams() == 0, "the slow watch ended");

      String m;
      while ((m = slow.next()).startsWith("42[\"note:posted\"")) {
        JsonNode id = JSON.readTree(m.substring(2)).get(2);
        // The watch's values carry its id; once it ended, saves still being posted reach this
        // connection as the plain broadcast (no id), which may come just before the error event.
        if (id != null) {
          assertThat(id.asText()).isEqualTo("slow");
        }
      }
      JsonNode error = JSON.readTree(m.substring(2));
      assertThat(error.get(0).asText()).isEqualTo("board:watchNotes:error");
      assertThat(error.get(1).get("code").asText()).isEqualTo("RESOURCE_EXHAUSTED");
      assertThat(error.get(2).asText()).isEqualTo("slow");
    }
  }

  @Test
  void wire_watchesPerConnectionAreBoundedByMaxCallsPerClient() throws Exception {
    server =
        Transports.builder()
            .services(Reference.services())
            .transport(
                SocketIoTransport.builder().host("127.0.0.1").port(0).maxCallsPerClient(2).build())
            .start();
    int port = server.port("socketio");
    try (RawSocketIo watcher = RawSocketIo.connect(http, port)) {
      watcher.send("421[\"task:watchTasks\",{},\"1\"]");
      assertThat(watcher.next()).isEqualTo("431[{}]");
      watcher.send("422[\"task:watchTasks\",{},\"2\"]");
      assertThat(watcher.next()).isEqualTo("432[{}]");
      watcher.send("423[\"task:watchTasks\",{},\"3\"]");
      assertThat(watcher.next()).startsWith("433[{\"error\":{\"code\":\"RESOURCE_EXHAUSTED\"");
      // Replacing one of its own is no new watch.
      watcher.send("424[\"task:watchTasks\",{\"fromId\":9},\"2\"]");
      assertThat(watcher.next()).isEqualTo("434[{}]");
      await(() -> server.openStreams() == 2, "two open streams");
    }
  }

  /** A reading of a named gauge. */
  public record Reading(String gauge, long value) {}

  /** A test service whose feeds the test drives, and ends, one by one. */
  public interface Gauge {
    @Event(items = "gauge:read")
    Flow.Publisher<Reading> watchReadings(@Param("gauge") String gauge);
  }

  /** One publisher per subscription, by gauge name, for the test to submit to or fail. */
  static final class Gauges implements Gauge {
    final Map<String, SubmissionPublisher<Reading>> feeds = new ConcurrentHashMap<>();

    @Override
    public Flow.Publisher<Reading> watchReadings(String gauge) {
      SubmissionPublisher<Reading> p = new SubmissionPublisher<>();
      feeds.put(gauge, p);
      return p;
    }

    /** Whether the server subscribed to the feed of {@code gauge}. */
    boolean subscribed(String gauge) {
      SubmissionPublisher<Reading> p = feeds.get(gauge);
      return p != null && p.getNumberOfSubscribers() == 1;
    }
  }

  /** Takes every reading, records it, and says how it ended. */
  private static final class Readings implements Flow.Subscriber<Reading> {
    final LinkedBlockingQueue<Reading> values = new LinkedBlockingQueue<>();
    final CompletableFuture<Throwable> end = new CompletableFuture<>(); // null: completed

    @Override
    public void onSubscribe(Flow.Subscription s) {
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(Reading item) {
      values.add(item);
    }

    @Override
    public void onError(Throwable t) {
      end.complete(t);
    }

    @Override
    public void onComplete() {
      end.complete(null);
    }
  }

  @Test
  void javaClient_anErrorEventEndsOnlyTheSubscriberItsIdNames_anotherOnTheSameClientKeepsReceiving()
      throws Exception {
    Gauges gauges = new Gauges();
    int port = start(Transports.builder(), List.of(gauges));
    try (SocketIoClient client = SocketIoClient.of("127.0.0.1", port)) {
      Gauge remote = client.service(Gauge.class);
      Readings ended = new Readings();
      Readings kept = new Readings();
      remote.watchReadings("boiler").subscribe(ended);
      remote.watchReadings("tank").subscribe(kept);
      await(
          () -> gauges.subscribed("boiler") && gauges.subscribed("tank"), "both feeds subscribed");
      gauges.feeds.get("boiler").submit(new Reading("boiler", 1));
      gauges.feeds.get("tank").submit(new Reading("tank", 1));
      assertThat(ended.values.poll(30, TimeUnit.SECONDS)).isEqualTo(new Reading("boiler", 1));
      assertThat(kept.values.poll(30, TimeUnit.SECONDS)).isEqualTo(new Reading("tank", 1));

      // The server ends the boiler's watch: one gauge:watchReadings:error carrying that watch's id.
      gauges
          .feeds
          .get("boiler")
          .closeExceptionally(
              new ServiceException(ErrorCode.RESOURCE_EXHAUSTED, "the boiler's feed fell behind"));

      Throwable error = ended.end.get(30, TimeUnit.SECONDS);
      assertThat(error).isInstanceOf(ServiceException.class);
      assertThat(((ServiceException) error).code()).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED);
      await(() -> server.openStreams() == 1, "the tank's stream only");
      // The tank's subscriber, on the same client and connection, is untouched and keeps receiving.
      assertThat(kept.end).isNotDone();
      for (long v = 2; v <= 4; v++) {
        gauges.feeds.get("tank").submit(new Reading("tank", v));
        assertThat(kept.values.poll(30, TimeUnit.SECONDS)).isEqualTo(new Reading("tank", v));
      }
      assertThat(kept.end).isNotDone();
      assertThat(ended.values).isEmpty();
      assertThat(connections()).isEqualTo(1);
    }
  }
}
