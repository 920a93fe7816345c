package dev.ipc.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipc.core.Client;
import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.Task;
import dev.ipc.core.TaskService;
import dev.ipc.core.Transports;
import dev.ipc.core.testing.AbstractTransportContractTest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One server, four transports, every Java client: a save over any protocol reaches the watchers on
 * all of them, in order and once; a thousand watchers across the four come and go without a trace.
 */
@Timeout(300)
class LiveFeedsTest {
  private static final List<String> PROTOCOLS = List.of("grpc", "rest", "graphql", "socketio");

  /** A subscriber that takes everything and can be cancelled: the contract suite's. */
  private static Watcher watcher() {
    return new Watcher(true);
  }

  private static final class Watcher extends AbstractTransportContractTest.Collector<Task> {
    Watcher(boolean read) {
      super(read);
    }

    /** Returns what ended the stream with an error, or null. */
    Throwable error() {
      return done.handle((v, e) -> e).getNow(null);
    }
  }

  private static Server serveAll() {
    Transports.Builder b = Transports.builder().services(Reference.services());
    for (String p : PROTOCOLS) {
      b.transport(p + "://127.0.0.1:0");
    }
    return b.start();
  }

  private static Map<String, Client> clients(Server server) {
    Map<String, Client> clients = new LinkedHashMap<>();
    for (String p : PROTOCOLS) {
      clients.put(p, Transports.connect(p + "://127.0.0.1:" + server.port(p)));
    }
    return clients;
  }

  private static void await(String what, java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    await(what, condition, () -> "");
  }

  private static void await(
      String what,
      java.util.function.BooleanSupplier condition,
      java.util.function.Supplier<String> state)
      throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean() && System.nanoTime() < end) {
      Thread.sleep(10);
    }
    assertThat(condition.getAsBoolean()).as(() -> what + " " + state.get()).isTrue();
  }

  /**
   * The errors watchers got, by protocol (the i-th watcher is on protocol i mod 4), for a failure's
   * message.
   */
  private static Map<String, List<String>> failures(List<Watcher> watchers) {
    Map<String, List<String>> failed = new LinkedHashMap<>();
    for (int i = 0; i < watchers.size(); i++) {
      Throwable e = watchers.get(i).error();
      if (e != null) {
        failed
            .computeIfAbsent(PROTOCOLS.get(i % PROTOCOLS.size()), k -> new ArrayList<>())
            .add(String.valueOf(e));
      }
    }
    failed.replaceAll((k, v) -> List.of(v.size() + " x " + v.get(0)));
    return failed;
  }

  @Test
  void aSaveOverEachProtocolReachesAWatcherOnEachInOrderAndOnce() throws Exception {
    try (Server server = serveAll()) {
      Map<String, Client> clients = clients(server);
      try {
        Map<String, Watcher> watchers = new LinkedHashMap<>();
        for (String p : PROTOCOLS) {
          Watcher w = watcher();
          clients.get(p).service(TaskService.class).watchTasks(500L, 599L).subscribe(w);
          watchers.put(p, w);
        }
        await("four open streams", () -> server.openStreams() == 4);
        List<Task> saves = new ArrayList<>();
        for (String p : PROTOCOLS) {
          Task t = new Task(500 + saves.size(), "saved over " + p);
          clients.get(p).service(TaskService.class).put(t);
          saves.add(t);
        }
        // Outside the range: filtered out everywhere.
        clients.get("grpc").service(TaskService.class).put(new Task(600, "out of range"));
        for (var e : watchers.entrySet()) {
          await(e.getKey() + " got the saves", () -> e.getValue().values.size() >= saves.size());
        }
        // The save after the range went out last: a duplicate of any save would be in by now too.
        Watcher probe = watcher();
        clients.get("grpc").service(TaskService.class).watchTasks(700L, 700L).subscribe(probe);
        await("probe open", () -> server.openStreams() == 5);
        clients.get("rest").service(TaskService.class).put(new Task(700, "probe"));
        await("probe", () -> probe.values.size() == 1);
        for (var e : watchers.entrySet()) {
          assertThat(e.getValue().values).as(e.getKey()).containsExactlyElementsOf(saves);
          assertThat(e.getValue().error()).as(e.getKey()).isNull();
        }
      } finally {
        for (Client c : clients.values()) {
          c.close();
        }
      }
    }
  }

  @Test
  void aThousandWatchersAcrossTheFourProtocolsAllCancelAndNoneIsLeft() throws Exception {
    try (Server server = serveAll()) {
      Map<String, Client> clients = clients(server);
      try {
        List<Watcher> watchers = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
          String p = PROTOCOLS.get(i % PROTOCOLS.size());
          Watcher w = watcher();
          clients.get(p).service(TaskService.class).watchTasks(null, null).subscribe(w);
          watchers.add(w);
        }
        await(
            "a thousand open streams",
            () -> server.openStreams() == 1000,
            () -> server.openStreams() + " open; failed: " + failures(watchers));
        clients.get("rest").service(TaskService.class).put(new Task(42, "to a thousand"));
        await("every watcher got it", () -> watchers.stream().allMatch(w -> w.values.size() == 1));
        for (Watcher w : watchers) {
          w.cancel();
        }
        await("no stream left", () -> server.openStreams() == 0);
        assertThat(server.stats().streamsEndedBehind()).isZero();
        assertThat(watchers).allSatisfy(w -> assertThat(w.error()).isNull());
      } finally {
        for (Client c : clients.values()) {
          c.close();
        }
      }
    }
  }
}
