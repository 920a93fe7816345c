package dev.ipc.graphql;

import dev.ipc.core.ServiceException;
import dev.ipc.core.spi.StreamHandle;
import dev.ipc.core.spi.StreamSink;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The source stream of a subscription field: the {@link StreamSink} core writes one open stream's
 * values to, seen by graphql-java as a single-subscriber {@link Flow.Publisher}.
 *
 * <p>The stream is opened (authenticated, intercepted, subscribed to the service's publisher) when
 * the field is fetched, so a refused subscription is a field error before any answer is committed;
 * values wait in the server's bounded per-stream buffer until the subscriber asks for them: {@link
 * #isReady()} is the subscriber's outstanding demand, and new demand wakes the stream ({@link
 * StreamHandle#ready()}). No buffer of its own, so a subscriber that stops asking falls behind on
 * the server and is ended there with RESOURCE_EXHAUSTED. Cancelling the subscription cancels the
 * stream.
 */
final class StreamBridge implements Flow.Publisher<Object>, Flow.Subscription, StreamSink {
  private final AtomicLong demand = new AtomicLong();
  // Guarded by this.
  private Flow.Subscriber<? super Object> subscriber;
  private boolean taken;
  private StreamHandle handle;
  private boolean cancelled;
  private boolean ended;
  private ServiceException pendingError;
  private boolean pendingComplete;

  /** Takes the handle {@code stream} returned; sink calls may have come before it. */
  void opened(StreamHandle h) {
    boolean cancel;
    synchronized (this) {
      handle = h;
      cancel = cancelled;
    }
    if (cancel) {
      h.cancel();
    }
  }

  @Override
  public void subscribe(Flow.Subscriber<? super Object> s) {
    synchronized (this) {
      if (taken) {
        s.onSubscribe(Noop.INSTANCE);
        s.onError(new IllegalStateException("a subscription's source stream has one subscriber"));
        return;
      }
      taken = true;
    }
    // Signals go to the subscriber only once onSubscribe returned (rule 1.3): until then the sink
    // is not
    // ready and an end is kept for later.
    s.onSubscribe(this);
    ServiceException error;
    boolean complete;
    StreamHandle h;
    synchronized (this) {
      subscriber = s;
      error = pendingError;
      complete = pendingComplete;
      pendingError = null;
      pendingComplete = false;
      h = handle;
    }
    if (error != null) {
      s.onError(error);
    } else if (complete) {
      s.onComplete();
    } else if (h != null && demand.get() > 0) {
      h.ready();
    }
  }

  @Override
  public void request(long n) {
    if (n <= 0) {
      cancel();
      return;
    }
    demand.accumulateAndGet(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
    StreamHandle h;
    synchronized (this) {
      h = handle;
    }
    if (h != null) {
      h.ready();
    }
  }

  @Override
  public void cancel() {
    StreamHandle h;
    synchronized (this) {
      if (cancelled) {
        return;
      }
      cancelled = true;
      h = handle;
    }
    if (h != null) {
      h.cancel();
    }
  }

  // StreamSink: called by core one at a time, never concurrently.

  @Override
  public boolean isReady() {
    synchronized (this) {
      if (subscriber == null || cancelled) {
        return false;
      }
    }
    return demand.get() > 0;
  }

  @Override
  public void next(long id, Object value) {
    Flow.Subscriber<? super Object> s;
    synchronized (this) {
      s = cancelled || ended ? null : subscriber;
    }
    if (s != null) {
      demand.decrementAndGet();
      s.onNext(value);
    }
  }

  @Override
  public void error(ServiceException error) {
    Flow.Subscriber<? super Object> s;
    synchronized (this) {
      if (ended) {
        return;
      }
      ended = true;
      s = subscriber;
      if (s == null) {
        pendingError = error;
        return;
      }
    }
    s.onError(error);
  }

  @Override
  public void complete() {
    Flow.Subscriber<? super Object> s;
    synchronized (this) {
      if (ended) {
        return;
      }
      ended = true;
      s = subscriber;
      if (s == null) {
        pendingComplete = true;
        return;
      }
    }
    s.onComplete();
  }

  private enum Noop implements Flow.Subscription {
    INSTANCE;

    @Override
    public void request(long n) {}

    @Override
    public void cancel() {}
  }
}
