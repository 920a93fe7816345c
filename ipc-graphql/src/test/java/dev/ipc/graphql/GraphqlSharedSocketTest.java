package dev.ipc.graphql;

import static dev.ipc.graphql.GraphqlNodeClientTest.awaitOpenStreams;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ipc.core.CallContext;
import dev.ipc.core.ErrorCode;
import dev.ipc.core.Feed;
import dev.ipc.core.Reference;
import dev.ipc.core.Saved;
import dev.ipc.core.Server;
import dev.ipc.core.ServiceException;
import dev.ipc.core.Task;
import dev.ipc.core.TaskService;
import dev.ipc.core.Transports;
import dev.ipc.core.annotation.Param;
import dev.ipc.core.annotation.Publishes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link GraphqlClient}'s subscribers share one {@code graphql-transport-ws} socket per credential:
 * many subscribers are one server connection, callers with other tokens never share one (each
 * subscription runs as its own caller), a subscriber that falls behind ends alone, and a socket
 * that closes ends every subscriber on it while the next subscriber opens a new one.
 */
@Timeout(120)
class GraphqlSharedSocketTest {
  /** A plain-interface service with a streaming operation whose request can be made large. */
  public interface Named {
    /** A saved note. */
    record Note(String text) {}

    /** Saves a note: every watcher whose prefix it starts with hears it. */
    @Publishes("note:saved")
    Note save(@Param("text") String text);

    /** Every note saved whose text starts with {@code prefix}. */
    default Flow.Publisher<Note> watchNamed(@Param("prefix") String prefix) {
      return Feed.published("note:saved", Note.class).filter(n -> n.text().startsWith(prefix));
    }
  }

  /**
   * Takes everything it is offered (or nothing, when {@code demand} is 0) and remembers how it
   * ended.
   */
  static final class Collector<T> implements Flow.Subscriber<T> {
    final List<T> values = new CopyOnWriteArrayList<>();
    final CompletableFuture<Throwable> ended = new CompletableFuture<>();
    private final long demand;
    volatile Flow.Subscription subscription;

    Collector(long demand) {
      this.demand = demand;
    }

    Collector() {
      this(Long.MAX_VALUE);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      if (demand > 0) {
        s.request(demand);
      }
    }

    @Override
    public void onNext(T item) {
      values.add(item);
    }

    @Override
    public void onError(Throwable t) {
      ended.complete(t);
    }

    @Override
    public void onComplete() {
      ended.complete(null);
    }

    Throwable failure() throws Exception {
      return ended.get(20, TimeUnit.SECONDS);
    }
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean() && System.nanoTime() < end) {
      Thread.sleep(5);
    }
    assertThat(condition.getAsBoolean()).as(what).isTrue();
  }

  private static int graphqlConnections(Server server) {
    return server.stats().connections().getOrDefault("graphql", -1);
  }

  private static Server serve(List<Object> services, GraphqlTransport.Builder graphql) {
    return Transports.builder()
        .services(services)
        .authenticate(t -> GraphqlSecurityTest.TOKENS.get(t))
        .transport(graphql.host("127.0.0.1").port(0).build())
        .start();
  }

  @Test
  void threeHundredSubscribers_shareOneConnection_allHearEachSave_andCancelEndsEveryStream()
      throws Exception {
    try (Server server = serve(Reference.services(), GraphqlTransport.builder());
        GraphqlClient client = GraphqlClient.of("127.0.0.1", server.port("graphql"))) {
      TaskService tasks = client.service(TaskService.DESCRIPTOR);
      List<Collector<Task>> subscribers = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        Collector<Task> c = new Collector<>();
        tasks.watchTasks(null, null).subscribe(c);
        subscribers.add(c);
      }
      awaitOpenStreams(server, 300);
      assertThat(graphqlConnections(server)).as("server connections").isEqualTo(1);
      assertThat(client.sockets()).isEqualTo(1);

      // Saved by another client, closed after: its connection is not the subscribers'.
      try (GraphqlClient writer = GraphqlClient.of("127.0.0.1", server.port("graphql"))) {
        TaskService w = writer.withBearerToken("w-token").service(TaskService.DESCRIPTOR);
        w.put(new Task(40, "forty"));
        w.put(new Task(41, "forty-one"));
      }
      for (Collector<Task> c : subscribers) {
        await("both saves heard", () -> c.values.size() >= 2);
        assertThat(c.values).containsExactly(new Task(40, "forty"), new Task(41, "forty-one"));
      }

      for (Collector<Task> c : subscribers) {
        c.subscription.cancel();
      }
      awaitOpenStreams(server, 0);
      // The last cancel closed the shared socket, and the writer's connection is gone too.
      await("no connection left", () -> graphqlConnections(server) == 0);
      assertThat(client.sockets()).isZero();
      for (Collector<Task> c : subscribers) {
        assertThat(c.ended).isNotDone();
      }
    }
  }

  @Test
  void subscribersWithOtherTokens_neverShareASocket_andEachRunsAsItsCaller() throws Exception {
    TaskService store = Reference.tasks();
    List<String> principals = Collections.synchronizedList(new ArrayList<>());
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
            return store.put(task);
          }

          @Override
          public Flow.Publisher<Task> watchTasks(Long fromId, Long toId) {
            principals.add(CallContext.current().principal().name());
            return TaskService.super.watchTasks(fromId, toId);
          }
        };
    try (Server server = serve(List.of(tasks), GraphqlTransport.builder());
        GraphqlClient client = GraphqlClient.of("127.0.0.1", server.port("graphql"))) {
      TaskService wanda = client.withBearerToken("w-token").service(TaskService.DESCRIPTOR);
      TaskService rita = client.withBearerToken("r-token").service(TaskService.DESCRIPTOR);
      TaskService stranger = client.withBearerToken("stolen").service(TaskService.DESCRIPTOR);
      List<Collector<Task>> subscribers = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        for (TaskService t : List.of(wanda, rita)) {
          Collector<Task> c = new Collector<>();
          t.watchTasks(null, null).subscribe(c);
          subscribers.add(c);
        }
      }
      // An unknown token is refused on its own socket, whatever the others' sockets carry.
      Collector<Task> refused = new Collector<>();
      stranger.watchTasks(null, null).subscribe(refused);
      assertThat(refused.failure())
          .isInstanceOfSatisfying(
              ServiceException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED));

      awaitOpenStreams(server, 6);
      assertThat(principals)
          .containsExactlyInAnyOrder("wanda", "rita", "wanda", "rita", "wanda", "rita");
      // The refused stranger's socket closes once its only subscriber ended: the server counts it a
      // moment longer, so wait for it to go.
      await("one socket per token", () -> graphqlConnections(server) == 2);
      assertThat(client.sockets()).isEqualTo(2);

      wanda.put(new Task(50, "fifty"));
      for (Collector<Task> c : subscribers) {
        await("the save heard", () -> c.values.size() >= 1);
        assertThat(c.values).containsExactly(new Task(50, "fifty"));
      }
      for (Collector<Task> c : subscribers) {
        c.subscription.cancel();
      }
      awaitOpenStreams(server, 0);
      assertThat(client.sockets()).isZero();
    }
  }

  @Test
  void aSubscriberThatStopsReading_endsAlone_whileItsNeighbourOnTheSocketHearsEverything()
      throws Exception {
    try (Server server = serve(Reference.services(), GraphqlTransport.builder());
        GraphqlClient client = GraphqlClient.of("127.0.0.1", server.port("graphql"))) {
      TaskService tasks = client.withBearerToken("w-token").service(TaskService.DESCRIPTOR);
      Collector<Task> slow = new Collector<>(0);
      Collector<Task> fast = new Collector<>();
      tasks.watchTasks(null, null).subscribe(slow);
      tasks.watchTasks(null, null).subscribe(fast);
      awaitOpenStreams(server, 2);
      int saves = 300; // more than the client's 256 per subscriber, fewer than the server's 1,024
      for (long id = 1_000; id < 1_000 + saves; id++) {
        tasks.put(new Task(id, "t" + id));
      }
      assertThat(slow.failure())
          .isInstanceOfSatisfying(
              ServiceException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED));
      await("every save heard by the fast one", () -> fast.values.size() == saves);
      // The slow one's cancel ended its stream on the server; the socket stays for the fast one.
      awaitOpenStreams(server, 1);
      assertThat(client.sockets()).isEqualTo(1);
      assertThat(fast.ended).isNotDone();
      fast.subscription.cancel();
      awaitOpenStreams(server, 0);
    }
  }

  @Test
  void aSocketTheServerCloses_endsEverySubscriberOnIt_andTheNextOneOpensANewSocket()
      throws Exception {
    Named named = Named.Note::new;
    // A message over the body limit makes the server close the socket (1009).
    try (Server server = serve(List.of(named), GraphqlTransport.builder().maxBodyBytes(1024));
        GraphqlClient client = GraphqlClient.of("127.0.0.1", server.port("graphql"))) {
      Named watcher = client.service(Named.class);
      Collector<Named.Note> first = new Collector<>();
      Collector<Named.Note> second = new Collector<>();
      watcher.watchNamed("a").subscribe(first);
      watcher.watchNamed("b").subscribe(second);
      awaitOpenStreams(server, 2);
      assertThat(client.sockets()).isEqualTo(1);

      Collector<Named.Note> tooLarge = new Collector<>();
      watcher.watchNamed("x".repeat(2_000)).subscribe(tooLarge);
      for (Collector<?> c : List.of(first, second, tooLarge)) {
        assertThat(c.failure())
            .isInstanceOfSatisfying(
                ServiceException.class,
                e -> {
                  assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
                  assertThat(e.getMessage()).contains("closed: 1009");
                });
      }
      awaitOpenStreams(server, 0);
      assertThat(client.sockets()).isZero();

      Collector<Named.Note> next = new Collector<>();
      watcher.watchNamed("a").subscribe(next);
      awaitOpenStreams(server, 1);
      watcher.save("brand new");
      watcher.save("after");
      await(
          "the save heard on the new socket (ended: " + next.ended.getNow(null) + ")",
          () -> next.values.size() >= 1 || next.ended.isDone());
      assertThat(next.values).containsExactly(new Named.Note("after"));
      next.subscription.cancel();
      awaitOpenStreams(server, 0);
    }
  }
}
