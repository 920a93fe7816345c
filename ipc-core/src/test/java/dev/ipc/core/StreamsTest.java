package dev.ipc.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipc.core.spi.BoundOperation;
import dev.ipc.core.spi.CallSource;
import dev.ipc.core.spi.RemoteStream;
import dev.ipc.core.spi.StreamHandle;
import dev.ipc.core.spi.StreamSink;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Streams in core: feeds of published values, bounded buffers, resuming, cancelling and closing.
 */
@Timeout(30)
class StreamsTest {
  private final TestTransport transport = new TestTransport("t", 0);

  /** Records what a transport would write; {@code ready} stands for a writable connection. */
  static final class Sink implements StreamSink {
    final List<Long> ids = new CopyOnWriteArrayList<>();
    final List<Object> values = new CopyOnWriteArrayList<>();
    final AtomicReference<ServiceException> error = new AtomicReference<>();
    final CountDownLatch ended = new CountDownLatch(1);
    final AtomicBoolean completed = new AtomicBoolean();
    volatile boolean ready = true;
    volatile CountDownLatch got = new CountDownLatch(0);

    Sink expect(int n) {
      got = new CountDownLatch(n);
      return this;
    }

    @Override
    public boolean isReady() {
      return ready;
    }

    @Override
    public void next(long id, Object value) {
      ids.add(id);
      values.add(value);
      got.countDown();
    }

    @Override
    public void error(ServiceException e) {
      error.set(e);
      ended.countDown();
    }

    @Override
    public void complete() {
      completed.set(true);
      ended.countDown();
    }

    void await() throws InterruptedException {
      assertThat(got.await(10, TimeUnit.SECONDS)).as("values arrived").isTrue();
    }
  }

  private Server serve(Transports.Builder b) {
    return b.service(Reference.tasks()).transport(transport).start();
  }

  private StreamHandle watch(Long from, Long to, Sink sink, Metadata metadata) {
    BoundOperation op = transport.operation("task", "watchTasks");
    return op.stream(new Object[] {from, to}, CallSource.of("t", null, metadata), m -> {}, sink);
  }

  private StreamHandle watch(Long from, Long to, Sink sink) {
    return watch(from, to, sink, Metadata.EMPTY);
  }

  private void put(long id, String name) {
    transport.operation("task", "put").call(new Task(id, name));
  }

  @Test
  void everyPutReachesEverySubscriberInOrderWithIncreasingIds() throws Exception {
    try (Server server = serve(Transports.builder())) {
      Sink a = new Sink().expect(3);
      Sink b = new Sink().expect(3);
      watch(null, null, a);
      watch(null, null, b);
      assertThat(server.openStreams()).isEqualTo(2);
      put(7, "seven");
      put(8, "eight");
      put(7, "seven again");
      a.await();
      b.await();
      assertThat(a.values)
          .containsExactly(new Task(7, "seven"), new Task(8, "eight"), new Task(7, "seven again"));
      assertThat(b.values).isEqualTo(a.values);
      assertThat(a.ids).isSorted().doesNotHaveDuplicates();
    }
  }

  @Test
  void theFilterKeepsOnlyTheAskedRange() throws Exception {
    try (Server server = serve(Transports.builder())) {
      Sink sink = new Sink().expect(2);
      watch(5L, 6L, sink);
      for (long id = 3; id <= 8; id++) {
        put(id, "t" + id);
      }
      sink.await();
      sink.expect(1);
      put(5, "last");
      sink.await();
      assertThat(sink.values).extracting(v -> ((Task) v).id()).containsExactly(5L, 6L, 5L);
    }
  }

  @Test
  void aSubscriberThatFallsBehindIsEndedWhileTheOthersGetEverything() throws Exception {
    try (Server server = serve(Transports.builder().streamBuffer(4))) {
      Sink slow = new Sink();
      slow.ready = false;
      Sink fast = new Sink().expect(20);
      watch(null, null, slow);
      watch(null, null, fast);
      for (long id = 1; id <= 20; id++) {
        put(id, "t" + id);
        // The fast one keeps up: it reads as values come, the way a writable connection does.
        fast.got.await(100, TimeUnit.MILLISECONDS);
      }
      fast.await();
      assertThat(slow.ended.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(slow.error.get().code()).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED);
      assertThat(slow.values).isEmpty();
      assertThat(fast.values).hasSize(20);
      assertThat(fast.error.get()).isNull();
      assertThat(server.openStreams()).isEqualTo(1);
      ServerStats stats = server.stats();
      assertThat(stats.streamsEndedBehind()).isEqualTo(1);
      assertThat(stats.streamedValues()).isEqualTo(20);
      assertThat(stats.openStreams()).isEqualTo(1);
      assertThat(stats.refusedCalls()).isZero();
      assertThat(stats.connections()).isEmpty();
    }
  }

  @Test
  void aTransportThatBecomesReadyAgainGetsWhatWasBuffered() throws Exception {
    try (Server server = serve(Transports.builder().streamBuffer(8))) {
      Sink sink = new Sink();
      sink.ready = false;
      StreamHandle h = watch(null, null, sink);
      for (long id = 1; id <= 5; id++) {
        put(id, "t" + id);
      }
      assertThat(sink.values).isEmpty();
      sink.expect(5);
      sink.ready = true;
      h.ready();
      sink.await();
      assertThat(sink.values).extracting(v -> ((Task) v).id()).containsExactly(1L, 2L, 3L, 4L, 5L);
    }
  }

  @Test
  void lastEventIdResumesWithWhatTheServerStillHolds() throws Exception {
    try (Server server = serve(Transports.builder().feedHistory(3))) {
      Sink first = new Sink().expect(5);
      watch(null, null, first);
      for (long id = 1; id <= 5; id++) {
        put(id, "t" + id);
      }
      first.await();
      long afterSecond = first.ids.get(1);
      // Ids 3, 4, 5 are missed after the second; the server keeps the last three, so all come back.
      Sink resumed = new Sink().expect(3);
      watch(null, null, resumed, Metadata.of("last-event-id", Long.toString(afterSecond)));
      resumed.await();
      assertThat(resumed.ids).containsExactlyElementsOf(first.ids.subList(2, 5));
      resumed.expect(1);
      put(6, "live");
      resumed.await();
      assertThat(resumed.values).last().isEqualTo(new Task(6, "live"));

      // Asking from before what is kept gets what is kept, no more.
      Sink old = new Sink().expect(3);
      watch(null, null, old, Metadata.of("last-event-id", "0"));
      old.await();
      assertThat(old.values).extracting(v -> ((Task) v).id()).containsExactly(4L, 5L, 6L);

      Sink junk = new Sink().expect(1);
      watch(null, null, junk, Metadata.of("last-event-id", "not-a-number"));
      put(9, "only live");
      junk.await();
      assertThat(junk.values).containsExactly(new Task(9, "only live"));
    }
  }

  @Test
  void cancelledStreamsReleaseEverySubscriber() throws Exception {
    try (Server server = serve(Transports.builder())) {
      List<StreamHandle> handles = new CopyOnWriteArrayList<>();
      for (int i = 0; i < 1000; i++) {
        handles.add(watch(null, null, new Sink()));
      }
      assertThat(server.openStreams()).isEqualTo(1000);
      DefaultServer s = (DefaultServer) server;
      assertThat(s.feedSubscribers()).isEqualTo(1000);
      handles.forEach(StreamHandle::cancel);
      handles.forEach(StreamHandle::cancel);
      assertThat(server.openStreams()).isZero();
      assertThat(s.feedSubscribers()).isZero();
    }
  }

  @Test
  void closeEndsStreamsAfterTheirBufferedValues() throws Exception {
    Server server = serve(Transports.builder().gracePeriod(Duration.ofSeconds(10)));
    Sink sink = new Sink();
    sink.ready = false;
    StreamHandle h = watch(null, null, sink);
    put(1, "buffered");
    CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
    // The close waits for the stream: its value is still buffered behind a busy transport.
    assertThat(sink.ended.await(300, TimeUnit.MILLISECONDS)).isFalse();
    sink.ready = true;
    h.ready();
    closing.get(10, TimeUnit.SECONDS);
    assertThat(sink.values).containsExactly(new Task(1, "buffered"));
    assertThat(sink.completed).isTrue();
    assertThat(server.openStreams()).isZero();
    assertThatThrownBy(() -> watch(null, null, new Sink()))
        .isInstanceOfSatisfying(
            ServiceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
  }

  @Test
  void aFailingServiceFailsTheCallBeforeAnyStream() {
    try (Server server = serve(Transports.builder().authenticate(token -> null))) {
      // A bad token is refused, as on a call: no stream opens.
      assertThatThrownBy(
              () ->
                  transport.operation("task", "watchTasks").stream(
                      new Object[] {null, null},
                      CallSource.of("t").withCredential("bad"),
                      m -> {},
                      new Sink()))
          .isInstanceOfSatisfying(
              ServiceException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED));
      assertThat(server.openStreams()).isZero();
    }
  }

  @Test
  void unaryOperationsDoNotStream() {
    try (Server server = serve(Transports.builder())) {
      assertThatThrownBy(
              () ->
                  transport.operation("task", "list").stream(
                      new Object[0], CallSource.of("t"), m -> {}, new Sink()))
          .isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void feedPublishedOutsideACallSaysSo() {
    assertThatThrownBy(() -> Feed.published("task:saved", Task.class))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("inside a service call");
  }

  /** A subscriber that requests as a test says. */
  static final class Probe<T> implements Flow.Subscriber<T> {
    final List<T> values = new CopyOnWriteArrayList<>();
    final AtomicReference<Throwable> error = new AtomicReference<>();
    final AtomicBoolean completed = new AtomicBoolean();
    volatile Flow.Subscription subscription;

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
    }

    @Override
    public void onNext(T item) {
      values.add(item);
    }

    @Override
    public void onError(Throwable t) {
      error.set(t);
    }

    @Override
    public void onComplete() {
      completed.set(true);
    }
  }

  @Test
  void remoteStreamDeliversByDemandAndEndsASlowSubscriber() {
    AtomicReference<RemoteStream.Emitter> emitter = new AtomicReference<>();
    AtomicInteger cancels = new AtomicInteger();
    RemoteStream<String> stream =
        new RemoteStream<>(
            3,
            e -> {
              emitter.set(e);
              return cancels::incrementAndGet;
            });
    Probe<String> probe = new Probe<>();
    stream.subscribe(probe);
    emitter.get().next("a");
    emitter.get().next("b");
    assertThat(probe.values).isEmpty();
    probe.subscription.request(1);
    assertThat(probe.values).containsExactly("a");
    emitter.get().next("c");
    emitter.get().next("d");
    assertThat(cancels).hasValue(0);
    emitter.get().next("e");
    // b, c, d wait; e is a fourth: the call is cancelled and the subscriber told why.
    assertThat(cancels).hasValue(1);
    assertThat(probe.error.get())
        .isInstanceOfSatisfying(
            ServiceException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED));
    assertThat(probe.values).containsExactly("a");
  }

  @Test
  void remoteStreamCompletesAfterQueuedValuesAndCancelReachesTheCall() {
    AtomicReference<RemoteStream.Emitter> emitter = new AtomicReference<>();
    AtomicInteger cancels = new AtomicInteger();
    RemoteStream<String> stream =
        new RemoteStream<>(
            8,
            e -> {
              emitter.set(e);
              return cancels::incrementAndGet;
            });
    Probe<String> probe = new Probe<>();
    stream.subscribe(probe);
    emitter.get().next("a");
    emitter.get().complete();
    assertThat(probe.completed).isFalse();
    probe.subscription.request(5);
    assertThat(probe.values).containsExactly("a");
    assertThat(probe.completed).isTrue();

    Probe<String> second = new Probe<>();
    stream.subscribe(second);
    second.subscription.cancel();
    assertThat(cancels).hasValue(1);
    emitter.get().next("late");
    second.subscription.request(1);
    assertThat(second.values).isEmpty();
  }

  /** Two servers in one process on one bus: what each publishes reaches the other's feeds once. */
  @Test
  void aBusCarriesPublishedValuesToEveryNodeOnceEach() throws Exception {
    List<java.util.function.Consumer<dev.ipc.core.spi.Published>> nodes =
        new CopyOnWriteArrayList<>();
    dev.ipc.core.spi.EventBus shared =
        (services, deliver) -> {
          nodes.add(deliver);
          return new dev.ipc.core.spi.EventBus.Node() {
            @Override
            public void publish(dev.ipc.core.spi.Published published) {
              for (var node : nodes) {
                node.accept(published);
              }
            }

            @Override
            public void close() {
              nodes.remove(deliver);
            }
          };
        };
    TestTransport other = new TestTransport("t2", 0);
    try (Server a = serve(Transports.builder().bus(shared));
        Server b =
            Transports.builder().service(Reference.tasks()).transport(other).bus(shared).start()) {
      assertThat(nodes).hasSize(2);
      Sink onA = new Sink().expect(2);
      Sink onB = new Sink().expect(2);
      watch(null, null, onA);
      other.operation("task", "watchTasks").stream(
          new Object[] {null, null}, CallSource.of("t2"), m -> {}, onB);
      put(1, "put on a");
      other.operation("task", "put").call(new Task(2, "put on b"));
      onA.await();
      onB.await();
      assertThat(onA.values).containsExactly(new Task(1, "put on a"), new Task(2, "put on b"));
      assertThat(onB.values).isEqualTo(onA.values);
    }
    assertThat(nodes).as("both left the bus on close").isEmpty();
  }
}
