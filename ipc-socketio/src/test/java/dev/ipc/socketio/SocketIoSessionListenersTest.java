package dev.ipc.socketio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.Transports;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
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

/**
 * The host's connect and disconnect listeners: per session one at a time, in event order; a
 * disconnect whose connect ran is never lost to a saturated executor, and a close waits for
 * listeners in flight.
 */
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
    events
        .computeIfAbsent(session.id(), k -> Collections.synchronizedList(new ArrayList<>()))
        .add(event);
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
    assertThat(eventsOf(idA))
        .as("session A while its connect listener is held")
        .containsExactly("connect");
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
        .containsExactly(
            "connect", "connected", "disconnect", "connect", "connected", "disconnect");
    assertThat(eventsOf(idB)).containsExactly("connect", "connected", "disconnect");
    assertThat(listenerThreads).allMatch(t -> t.startsWith("listener-pool-"));
  }

  @Test
  void manySessionsDroppingWhileTheirConnectListenersRun_eachHearsConnectThenDisconnect()
      throws Exception {
    int sessions = 50;
    CountDownLatch allDropped = new CountDownLatch(sessions);
    CountDownLatch allGone = new CountDownLatch(sessions);
    cleanup.add(
        () -> {
          while (allDropped.getCount() > 0) {
            allDropped.countDown();
          }
        });
    // Unbounded, so that a disconnect listener handed over on its own would find a free thread.
    AtomicInteger threads = new AtomicInteger();
    ExecutorService executor =
        Executors.newCachedThreadPool(
            r -> new Thread(r, "listener-pool-" + threads.incrementAndGet()));
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
    assertThat(events.keySet())
        .allSatisfy(id -> assertThat(eventsOf(id)).containsExactly("connect", "disconnect"));
    assertThat(listenerThreads).allMatch(t -> t.startsWith("listener-pool-"));
  }

  @Test
  void connectListenersSkippedBySaturatedExecutor_disconnectIsSkippedTooAndTheSessionRecovers()
      throws Exception {
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
    assertThat(eventsOf(id))
        .as("no disconnect for a connect the host never heard of")
        .containsExactly("connect");

    a.abort();

    assertThat(disconnected.poll(10, TimeUnit.SECONDS)).isEqualTo(id);
    assertThat(eventsOf(id)).containsExactly("connect", "disconnect");
  }

  @Test
  void executorSaturatedAtDisconnect_disconnectListenerStillRunsOnceAfterItsConnectOffTheEventLoop()
      throws Exception {
    LinkedBlockingQueue<String> connectDone = new LinkedBlockingQueue<>();
    LinkedBlockingQueue<String> disconnected = new LinkedBlockingQueue<>();
    List<Thread> disconnectThreads = Collections.synchronizedList(new ArrayList<>());
    BoundedPool pool = new BoundedPool();
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
                      disconnectThreads.add(Thread.currentThread());
                      disconnected.add(s.id());
                    }),
            pool);
    RawSocketIo a = raw(server);
    String id = connectDone.poll(10, TimeUnit.SECONDS);
    assertThat(id).isNotNull();

    CountDownLatch release = new CountDownLatch(1);
    cleanup.add(release::countDown);
    pool.saturate(release);
    a.abort();
    pool.awaitRejections(1);
    release.countDown();

    assertThat(disconnected.poll(10, TimeUnit.SECONDS)).isEqualTo(id);
    // A close waits for listener calls queued or running: none of this session can come after it.
    server.close();
    assertThat(disconnected).isEmpty();
    assertThat(eventsOf(id)).containsExactly("connect", "disconnect");
    assertThat(disconnectThreads)
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t).isNotInstanceOf(FastThreadLocalThread.class);
              assertThat(t.getName()).doesNotContainIgnoringCase("eventloop");
            });
  }

  @Test
  void closeWhileADisconnectListenerRuns_waitsForItBeforeDroppingTheOtherSessions()
      throws Exception {
    Held held = new Held();
    Server server =
        start(
            SocketIoTransport.builder()
                .onDisconnect(
                    s -> {
                      if (held.entered.getCount() == 0) {
                        return; // the sessions the close drops
                      }
                      held.run(() -> s.broadcast("left", s.id()));
                    }),
            null);
    held.releaseOnCleanup();
    RawSocketIo a = raw(server);
    RawSocketIo b = raw(server);
    a.abort();
    assertThat(held.entered.await(10, TimeUnit.SECONDS)).isTrue();

    Closing closing = Closing.start(server, held.finished);
    assertThat(closing.awaitWaitingOnTheTransport(b.closed))
        .as(
            "the close waits for the running disconnect listener, the other session still connected")
        .isTrue();
    held.release.countDown();

    assertThat(b.next()).as("what the listener sent once released").startsWith("42[\"left\",");
    assertThat(closing.finishedListenerBeforeReturning()).isTrue();
  }

  @Test
  void closeWhileAConnectListenerRuns_waitsForIt() throws Exception {
    Held held = new Held();
    Server server =
        start(SocketIoTransport.builder().onConnect(s -> held.run(() -> s.send("welcome"))), null);
    held.releaseOnCleanup();
    RawSocketIo a = raw(server);
    assertThat(held.entered.await(10, TimeUnit.SECONDS)).isTrue();

    Closing closing = Closing.start(server, held.finished);
    assertThat(closing.awaitWaitingOnTheTransport(a.closed))
        .as("the close waits for the running connect listener, its session still connected")
        .isTrue();
    held.release.countDown();

    assertThat(a.next()).isEqualTo("42[\"welcome\"]");
    assertThat(closing.finishedListenerBeforeReturning()).isTrue();
  }

  @Test
  void closeWhileADisconnectListenerRefusedByTheExecutorRuns_waitsForIt() throws Exception {
    CountDownLatch connected = new CountDownLatch(1);
    Held held = new Held();
    BoundedPool pool = new BoundedPool();
    Server server =
        start(
            SocketIoTransport.builder()
                .onConnect(s -> connected.countDown())
                .onDisconnect(s -> held.run(() -> {})),
            pool);
    held.releaseOnCleanup();
    RawSocketIo a = raw(server);
    assertThat(connected.await(10, TimeUnit.SECONDS)).isTrue();
    CountDownLatch unblock = new CountDownLatch(1);
    cleanup.add(unblock::countDown);
    CountDownLatch blockersDone = pool.saturate(unblock);
    a.abort();
    pool.awaitRejections(1);
    // The pool is idle again: only the refused disconnect listener, run elsewhere, is still busy.
    unblock.countDown();
    assertThat(blockersDone.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(held.entered.await(10, TimeUnit.SECONDS)).isTrue();

    Closing closing = Closing.start(server, held.finished);
    assertThat(closing.awaitWaitingOnTheTransport(new CompletableFuture<>()))
        .as("the close waits for the disconnect listener the executor refused")
        .isTrue();
    held.release.countDown();

    assertThat(closing.finishedListenerBeforeReturning()).isTrue();
  }

  /** Starts a server noting each session's id on connect and holding its disconnect listener. */
  private Server startWithHeldDisconnects(Held held, LinkedBlockingQueue<String> connected) {
    Server server =
        start(
            SocketIoTransport.builder()
                .onConnect(s -> connected.add(s.id()))
                .onDisconnect(
                    s -> {
                      record(s, "disconnect");
                      held.run(() -> {});
                    }),
            null);
    held.releaseOnCleanup();
    return server;
  }

  @Test
  void closeWithALongPollingSession_endsItAndWaitsForItsDisconnectListener() throws Exception {
    Held held = new Held();
    LinkedBlockingQueue<String> connected = new LinkedBlockingQueue<>();
    Server server = startWithHeldDisconnects(held, connected);
    String base =
        "http://127.0.0.1:" + server.port("socketio") + "/socket.io/?EIO=4&transport=polling";
    String open =
        http.send(
                HttpRequest.newBuilder(URI.create(base)).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    int at = open.indexOf("\"sid\":\"") + 7;
    String sid = open.substring(at, open.indexOf('"', at));
    HttpResponse<String> join =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "&sid=" + sid))
                .POST(HttpRequest.BodyPublishers.ofString("40"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(join.statusCode()).isEqualTo(200);
    assertThat(connected.poll(10, TimeUnit.SECONDS)).isEqualTo(sid);

    // The session has no connection open now: only the server can end it.
    Closing closing = Closing.start(server, held.finished);
    assertThat(held.entered.await(10, TimeUnit.SECONDS)).as("the close ended the session").isTrue();
    assertThat(closing.awaitWaitingOnTheTransport(new CompletableFuture<>()))
        .as("the close waits for the session's disconnect listener")
        .isTrue();
    held.release.countDown();

    assertThat(closing.finishedListenerBeforeReturning()).isTrue();
    assertThat(eventsOf(sid)).containsExactly("disconnect");
  }

  @Test
  void closeWithAWebSocketSession_endsItAndWaitsForItsDisconnectListener() throws Exception {
    Held held = new Held();
    LinkedBlockingQueue<String> connected = new LinkedBlockingQueue<>();
    Server server = startWithHeldDisconnects(held, connected);
    RawSocketIo a = raw(server);
    String id = connected.poll(10, TimeUnit.SECONDS);
    assertThat(id).isNotNull();

    Closing closing = Closing.start(server, held.finished);
    assertThat(held.entered.await(10, TimeUnit.SECONDS)).as("the close ended the session").isTrue();
    assertThat(closing.awaitWaitingOnTheTransport(new CompletableFuture<>()))
        .as("the close waits in the transport for the session's disconnect listener")
        .isTrue();
    assertThat(a.next()).as("the client was told").isEqualTo("41");
    held.release.countDown();

    assertThat(closing.finishedListenerBeforeReturning()).isTrue();
    assertThat(eventsOf(id)).containsExactly("disconnect");
  }

  /**
   * A listener held until released: it signals it started, waits, then does its part and notes it
   * finished.
   */
  private final class Held {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicBoolean finished = new AtomicBoolean();

    void run(Runnable then) {
      entered.countDown();
      await(release);
      then.run();
      finished.set(true);
    }

    /**
     * Releases it when the test ends, before the server closes; call after starting the server, as
     * cleanup runs backwards (a close would wait for the held listener).
     */
    void releaseOnCleanup() {
      cleanup.add(release::countDown);
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * A {@link Server#close()} on its own thread, noting whether a listener had finished by its end.
   */
  private static final class Closing {
    private final Thread thread;
    private final CompletableFuture<Boolean> listenerFinished = new CompletableFuture<>();

    private Closing(Server server, AtomicBoolean finished) {
      thread =
          new Thread(
              () -> {
                server.close();
                listenerFinished.complete(finished.get());
              },
              "closing");
    }

    static Closing start(Server server, AtomicBoolean finished) {
      Closing c = new Closing(server, finished);
      c.thread.start();
      return c;
    }

    /**
     * Waits until the close either parks in the Socket.IO transport's wait for work in flight
     * (true) or gets past it: it returns, or {@code stopped} completes (false).
     */
    boolean awaitWaitingOnTheTransport(CompletableFuture<?> stopped) throws InterruptedException {
      while (thread.isAlive() && !stopped.isDone()) {
        if (thread.getState() == Thread.State.TIMED_WAITING
            && inTransportWait(thread.getStackTrace())) {
          return true;
        }
        thread.join(1); // wait for the close's end, or look again
      }
      return false;
    }

    private static boolean inTransportWait(StackTraceElement[] stack) {
      for (StackTraceElement e : stack) {
        if (e.getClassName().equals(DefaultSocketIoServer.class.getName())
            && e.getMethodName().equals("awaitTermination")) {
          return true;
        }
      }
      return false;
    }

    /** Waits for the close to return; returns whether the listener had finished by then. */
    boolean finishedListenerBeforeReturning() throws Exception {
      return listenerFinished.get(10, TimeUnit.SECONDS);
    }
  }

  /**
   * A one-thread call executor with a queue of one that refuses (and counts) what does not fit, as
   * a saturated executor does.
   */
  private static final class BoundedPool extends ThreadPoolExecutor {
    private int rejections;

    BoundedPool() {
      super(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(1));
      setThreadFactory(r -> new Thread(r, "listener-pool"));
      setRejectedExecutionHandler(
          (r, e) -> {
            synchronized (this) {
              rejections++;
              notifyAll();
            }
            throw new RejectedExecutionException("saturated");
          });
    }

    /**
     * Fills the thread and the queue with tasks that wait for {@code release}; returns a latch that
     * opens once both have finished. The pool must be idle.
     */
    CountDownLatch saturate(CountDownLatch release) throws InterruptedException {
      CountDownLatch running = new CountDownLatch(1);
      CountDownLatch done = new CountDownLatch(2);
      execute(
          () -> {
            running.countDown();
            await(release);
            done.countDown();
          });
      // Queued only once the thread runs the first: nothing else of the server is left before it.
      running.await();
      execute(
          () -> {
            await(release);
            done.countDown();
          });
      return done;
    }

    synchronized void awaitRejections(int n) throws InterruptedException {
      while (rejections < n) {
        wait();
      }
    }
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
