package dev.ipc.redis;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.Task;
import dev.ipc.core.TaskService;
import dev.ipc.core.Transports;
import dev.ipc.core.spi.Transport;
import dev.ipc.core.testing.Interop;
import dev.ipc.grpc.GrpcClient;
import dev.ipc.grpc.GrpcTransport;
import dev.ipc.redis.testing.RedisProcess;
import dev.ipc.rest.RestClient;
import dev.ipc.rest.RestTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * Two ipc servers, node A over REST and node B over gRPC, each with its own {@link RedisBus} on one
 * real {@code redis-server}, as two processes would be; subscribers watch through the Java clients.
 */
@Timeout(120)
@Interop
class RedisBusClusterTest {
  private final List<AutoCloseable> cleanup = new ArrayList<>();
  private final ListAppender<ILoggingEvent> log = new ListAppender<>();
  private final Logger busLogger = (Logger) LoggerFactory.getLogger(RedisBus.class);
  private final ListAppender<ILoggingEvent> lettuceLog = new ListAppender<>();
  private final Logger lettuceLogger = (Logger) LoggerFactory.getLogger("io.lettuce.core.protocol");
  private RedisProcess redis;

  @BeforeEach
  void startRedis() throws Exception {
    redis = new RedisProcess();
    log.start();
    busLogger.addAppender(log);
    lettuceLog.start();
    lettuceLogger.addAppender(lettuceLog);
  }

  @AfterEach
  void close() throws Exception {
    for (int i = cleanup.size() - 1; i >= 0; i--) {
      cleanup.get(i).close();
    }
    busLogger.detachAppender(log);
    lettuceLogger.detachAppender(lettuceLog);
    redis.close();
  }

  private Server node(RedisBus bus, Transport transport) {
    Server server =
        Transports.builder()
            .services(Reference.services())
            .transport(transport)
            .bus(bus)
            .gracePeriod(Duration.ofSeconds(5))
            .start();
    cleanup.add(server);
    return server;
  }

  private Server restNode(RedisBus bus) {
    return node(bus, RestTransport.builder().host("127.0.0.1").port(0).build());
  }

  private Server grpcNode(RedisBus bus) {
    return node(bus, GrpcTransport.builder().host("127.0.0.1").port(0).build());
  }

  private TaskService rest(Server server) {
    RestClient client = RestClient.of("127.0.0.1", server.port("rest"));
    cleanup.add(client);
    return client.service(TaskService.DESCRIPTOR);
  }

  private TaskService grpc(Server server) {
    GrpcClient client = GrpcClient.of("127.0.0.1", server.port("grpc"));
    cleanup.add(client);
    return client.service(TaskService.DESCRIPTOR);
  }

  /** Subscribes to every saved task and keeps the ids it receives, in order. */
  private static List<Long> watch(TaskService tasks, Server server) throws InterruptedException {
    List<Long> ids = new CopyOnWriteArrayList<>();
    int before = server.openStreams();
    tasks
        .watchTasks(null, null)
        .subscribe(
            new Flow.Subscriber<Task>() {
              @Override
              public void onSubscribe(Flow.Subscription s) {
                s.request(Long.MAX_VALUE);
              }

              @Override
              public void onNext(Task t) {
                ids.add(t.id());
              }

              @Override
              public void onError(Throwable t) {
                ids.add(-1L);
              }

              @Override
              public void onComplete() {}
            });
    await("the stream is open on the server", () -> server.openStreams() == before + 1);
    return ids;
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for: %s", what).isLessThan(end);
      Thread.sleep(10);
    }
  }

  private static List<Long> ids(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().toList();
  }

  private long warnings(String containing) {
    return log.list.stream()
        .filter(e -> e.getLevel() == Level.WARN && e.getFormattedMessage().contains(containing))
        .count();
  }

  @Test
  void aPutOnOneNode_reachesSubscribersOnBothNodes_eachExactlyOnce_inOrder() throws Exception {
    RedisBus busA = RedisBus.of(redis.uri());
    RedisBus busB = RedisBus.of(redis.uri());
    Server a = restNode(busA);
    Server b = grpcNode(busB);
    TaskService onA = rest(a);
    TaskService onB = grpc(b);
    List<Long> seenOnA = watch(onA, a);
    List<Long> seenOnB = watch(onB, b);

    for (long id = 10; id <= 14; id++) {
      onA.put(new Task(id, "from A " + id));
    }
    await("B sees A's puts", () -> seenOnB.size() >= 5);
    // A marker from B, published after B heard 14: Redis sends A its own echoes of 10..14 before
    // it,
    // so a duplicate on A would be in the list ahead of the marker.
    onB.put(new Task(99, "from B"));
    await("A sees B's put", () -> seenOnA.contains(99L));
    await("B sees its own put", () -> seenOnB.contains(99L));

    List<Long> expected = new ArrayList<>(ids(10, 14));
    expected.add(99L);
    assertThat(seenOnA).containsExactlyElementsOf(expected);
    assertThat(seenOnB).containsExactlyElementsOf(expected);
    // Each node keeps its own store: the bus carries events, not data.
    assertThat(onB.list()).extracting(Task::id).doesNotContain(10L);
    assertThat(busA.dropped()).isZero();
    assertThat(busB.dropped()).isZero();
    assertThat(redis.subscribers(RedisBus.CHANNEL_PREFIX + "task")).isEqualTo(2);
  }

  @Test
  void redisDown_callsAndLocalDeliveryGoOn_dropsAreCounted_andDeliveryResumesWhenItIsBack()
      throws Exception {
    RedisBus busA = RedisBus.of(redis.uri());
    RedisBus busB = RedisBus.of(redis.uri());
    Server a = restNode(busA);
    Server b = grpcNode(busB);
    TaskService onA = rest(a);
    TaskService onB = grpc(b);
    List<Long> seenOnA = watch(onA, a);
    List<Long> seenOnB = watch(onB, b);

    onA.put(new Task(1, "before"));
    await("B sees the put before the outage", () -> seenOnB.contains(1L));

    redis.stop();
    await("A noticed", () -> !busA.connected());
    await("B noticed", () -> !busB.connected());
    for (long id = 20; id <= 22; id++) {
      assertThat(onA.put(new Task(id, "while down")).value().id()).isEqualTo(id);
    }
    assertThat(onA.get(21).name()).isEqualTo("while down");
    await("A's own subscriber got every put", () -> seenOnA.containsAll(ids(20, 22)));
    await("the drops are counted", () -> busA.dropped() == 3);
    // One line per node per outage, however many values it drops (A dropped three).
    await("each node warned", () -> warnings("unreachable") == 2);

    // Let Lettuce fail to reconnect at least once, so the restart below is found by its retries.
    await(
        "a failed reconnection attempt",
        () ->
            lettuceLog.list.stream()
                .anyMatch(e -> e.getFormattedMessage().contains("Cannot reconnect")));
    assertThat(busA.connected()).isFalse();

    redis.start();
    await("A reconnected", busA::connected);
    await("B reconnected", busB::connected);
    await("both subscribed again", () -> redis.subscribers(RedisBus.CHANNEL_PREFIX + "task") == 2);
    onA.put(new Task(30, "after"));
    await("B sees the put after the outage", () -> seenOnB.contains(30L));
    onB.put(new Task(31, "after, from B"));
    await("A sees B's put after the outage", () -> seenOnA.contains(31L));
    await("B sees its own put", () -> seenOnB.contains(31L));

    // At most once across nodes: B never gets what was published while Redis was down; exactly once
    // on A, which delivered its own values locally.
    assertThat(seenOnB).containsExactly(1L, 30L, 31L);
    assertThat(seenOnA).containsExactly(1L, 20L, 21L, 22L, 30L, 31L);
    assertThat(busA.dropped()).isEqualTo(3);
    assertThat(busB.dropped()).isZero();
    assertThat(warnings("unreachable")).isEqualTo(2);
    assertThat(log.list)
        .filteredOn(e -> e.getLevel() == Level.INFO && e.getFormattedMessage().contains("is back"))
        .isNotEmpty();
    assertThat(log.list)
        .allSatisfy(e -> assertThat(e.getFormattedMessage()).doesNotContain("while down"));
  }

  @Test
  void joiningWithoutRedis_failsTheStart_withTheAddress() throws Exception {
    redis.stop();
    RedisBus bus = RedisBus.of(redis.uri());
    Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> restNode(bus));
    assertThat(thrown)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("127.0.0.1:" + redis.port());
  }
}
