package dev.ipc.socketio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.Transports;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The host's connect and disconnect listeners: per session one at a time, in event order. */
@Timeout(60)
class SocketIoSessionListenersTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private final List<AutoCloseable> cleanup = new ArrayList<>();
  /** Per session id, what its listeners saw, in the order they saw it. */
  private final Map<String, List<String>> events = new ConcurrentHashMap<>();
  private final Set<String> listenerThreads = ConcurrentHashMap.newKeySet();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = cleanup.size() - 1; i >= 0; i--) {
      cleanup.get(i).close();
    }
  }

  private void record(SocketIoSession session, String event) {
    listenerThreads.add(Thread.currentThread().getName());
    events.computeIfAbsent(session.id(), k -> Collections.synchronizedList(new ArrayList<>())).add(event);
  }

  private List<String> eventsOf(String id) {
    List<String> list = events.getOrDefault(id, List.of());
    synchronized (list) {
      return List.copyOf(list);
    }
  }

  private Server start(SocketIoTransport.Builder transport, ExecutorService executor) {
    Transports.Builder b =
        Transports.builder()
            .services(Reference.services())
            .transport(transport.host("127.0.0.1").port(0).build());
    if (executor != null) {
      b.executor(executor);
    }
    Server server = b.start();
    cleanup.add(server);
    return server;
  }

  private RawSocketIo raw(Server server) throws Exception {
    RawSocketIo r = RawSocketIo.connect(http, server.port("socketio"));
    cleanup.add(r);
    return r;
  }

  @Test
  void slowConnectListener_disconnectWaitsForItAndOtherSessionsDoNot() throws Exception {
    CountDownLatch firstEntered = new CountDownLatch(1);
    CountDownLatch releaseFirst = new CountDownLatch(1);
    cleanup.add(releaseFirst::countDown);
    AtomicBoolean first = new AtomicBoolean();
    LinkedBlockingQueue<String> connectDone = new LinkedBlockingQueue<>();
    LinkedBlockingQueue<String> disconnected = new LinkedBlockingQueue<>();
    Consumer<SocketIoSession> onConnect =
        s -> {
          record(s, "connect");
          if (first.compareAndSet(false, true)) {
            firstEntered.countDown();
            try {
              releaseFirst.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          record(s, "connected");
          connectDone.add(s.id());
        };
    Consumer<SocketIoSession> onDisconnect =
        s -> {
          record(s, "disconnect");
          disconnected.add(s.id());
        };
    CountingPool pool = new CountingPool(4);
    Server server =
        start(SocketIoTransport.builder().onConnect(onConnect).onDisconnect(onDisconnect), pool);

    RawSocketIo a = raw(server);
    assertThat(firstEntered.await(10, TimeUnit.SECONDS)).isTrue();
    String idA = events.keySet().iterator().next();
    // Leave the namespace and join it again on the same Engine.IO session (same id). The server
    // answers the second join only after it has handled the leave: its disconnect is then known.
    a.send("41");
    a.send("40");
    assertThat(a.next()).startsWith("40{\"sid\"");

    raw(server);
    String idB = connectDone.poll(10, TimeUnit.SECONDS);
    while (idA.equals(idB)) { // only without per-session order: A's second connect ran already
      idB = connectDone.poll(10, TimeUnit.SECONDS);
    }
    assertThat(idB).as("a second session's connect listener runs meanwhile").isNotNull();
    // Every task the pool was given has finished but the held connect listener: whatever the server
    // handed over for session A has had its chance to run.
    pool.awaitAllFinishedBut(1);
    assertThat(eventsOf(idA)).as("session A while its connect listener is held").containsExactly("connect");
    assertThat(eventsOf(idB)).containsExactly("connect", "connected");

    releaseFirst.countDown();
    assertThat(connectDone.poll(10, TimeUnit.SECONDS)).isEqualTo(idA);
    assertThat(connectDone.poll(10, TimeUnit.SECONDS)).isEqualTo(idA);
    for (AutoCloseable c : cleanup) {
      if (c instanceof RawSocketIo r) {
        r.abort();
      }
    }
    Set<String> gone = new HashSet<>();
    gone.add(disconnected.poll(10, TimeUnit.SECONDS));
    gone.add(disconnected.poll(10, TimeUnit.SECONDS));
    gone.add(disconnected.poll(10, TimeUnit.SECONDS));

    assertThat(gone).containsExactlyInAnyOrder(idA, idB);
    assertThat(eventsOf(idA))
        .containsExactly("connect", "connected", "disconnect", "connect", "connected", "disconnect");
    assertThat(eventsOf(idB)).containsExactly("connect", "connected", "disconnect");
    assertThat(listenerThreads).allMatch(t -> t.startsWith("listener-pool-"));
  }

  @Test
  void manySessionsDroppingWhileTheirConnectListenersRun_eachHearsConnectThenDisconnect() throws Exception {
    int sessions = 50;
    CountDownLatch allDropped = new CountDownLatch(sessions);
    CountDownLatch allGone = new CountDownLatch(sessions);
    cleanup.add(() -> {
      while (allDropped.getCount() > 0) {
        allDropped.countDown();
      }
    });
    // Unbounded, so that a disconnect listener handed over on its own would find a free thread.
    AtomicInteger threads = new AtomicInteger();
    ExecutorService executor =
        Executors.newCachedThreadPool(r -> new Thread(r, "listener-pool-" + threads.incrementAndGet()));
    Server server =
        start(
            SocketIoTransport.builder()
                .onConnect(
                    s -> {
                      try {
                        // Every client drops while the connect listeners still run.
                        allDropped.await();
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                      record(s, "connect");
                    })
                .onDisconnect(
                    s -> {
                      record(s, "disconnect");
                      allGone.countDown();
                    }),
            executor);
    ExecutorService clients = Executors.newFixedThreadPool(8);
    cleanup.add(clients::shutdownNow);

    List<CompletableFuture<Void>> done = new ArrayList<>();
    for (int i = 0; i < sessions; i++) {
      done.add(
          CompletableFuture.runAsync(
              () -> {
                try {
                  RawSocketIo.connect(http, server.port("socketio")).abort();
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                } finally {
                  allDropped.countDown();
                }
              },
              clients));
    }
    CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

    assertThat(allGone.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(events).hasSize(sessions);
    assertThat(events.keySet()).allSatisfy(id -> assertThat(eventsOf(id)).containsExactly("connect", "disconnect"));
    assertThat(listenerThreads).allMatch(t -> t.startsWith("listener-pool-"));
  }

  @Test
  void connectListenersSkippedBySaturatedExecutor_disconnectIsSkippedTooAndTheSessionRecovers() throws Exception {
    LinkedBlockingQueue<String> connectDone = new LinkedBlockingQueue<>();
    LinkedBlockingQueue<String> disconnected = new LinkedBlockingQueue<>();
    SaturablePool pool = new SaturablePool();
    Server server =
        start(
            SocketIoTransport.builder()
                .onConnect(
                    s -> {
                      record(s, "connect");
                      connectDone.add(s.id());
                    })
                .onDisconnect(
                    s -> {
                      record(s, "disconnect");
                      disconnected.add(s.id());
                    }),
            pool);
    pool.saturated = true;
    RawSocketIo a = raw(server);
    pool.awaitRejections(1);
    pool.saturated = false;

    // Leave and join again: the server has handled the leave once it answers the join.
    a.send("41");
    a.send("40");
    assertThat(a.next()).startsWith("40{\"sid\"");
    String id = connectDone.poll(10, TimeUnit.SECONDS);
    assertThat(id).isNotNull();
    assertThat(eventsOf(id)).as("no disconnect for a connect the host never heard of").containsExactly("connect");

    a.abort();

    assertThat(disconnected.poll(10, TimeUnit.SECONDS)).isEqualTo(id);
    assertThat(eventsOf(id)).containsExactly("connect", "disconnect");
  }

  /** A one-thread call executor (FIFO) that refuses every task while {@code saturated}. */
  private static final class SaturablePool extends ThreadPoolExecutor {
    volatile boolean saturated;
    private int rejections;

    SaturablePool() {
      super(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
    }

    @Override
    public void execute(Runnable command) {
      if (saturated) {
        synchronized (this) {
          rejections++;
          notifyAll();
        }
        throw new RejectedExecutionException("saturated");
      }
      super.execute(command);
    }

    synchronized void awaitRejections(int n) throws InterruptedException {
      while (rejections < n) {
        wait();
      }
    }
  }

  /** A call executor that counts the tasks it was given and the ones that have finished. */
  private static final class CountingPool extends ThreadPoolExecutor {
    private final AtomicInteger threads = new AtomicInteger();
    private int submitted;
    private int finished;

    CountingPool(int size) {
      super(size, size, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
      setThreadFactory(r -> new Thread(r, "listener-pool-" + threads.incrementAndGet()));
    }

    @Override
    public void execute(Runnable command) {
      synchronized (this) {
        submitted++;
      }
      super.execute(command);
    }

    @Override
    protected void afterExecute(Runnable r, Throwable t) {
      synchronized (this) {
        finished++;
        notifyAll();
      }
    }

    synchronized void awaitAllFinishedBut(int running) throws InterruptedException {
      while (finished < submitted - running) {
        wait();
      }
    }
  }
}
