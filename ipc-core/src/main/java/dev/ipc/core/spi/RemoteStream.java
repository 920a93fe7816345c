package dev.ipc.core.spi;

import static java.util.Objects.requireNonNull;

import dev.ipc.core.ErrorCode;
import dev.ipc.core.ServiceException;
import java.util.ArrayDeque;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a Java client answers for a streaming operation: each {@link #subscribe} opens one call on
 * the server through {@code open}, the transport pushes what arrives into an {@link Emitter}, and
 * the subscriber gets it as its demand allows. Values the subscriber has not asked for yet wait in
 * a buffer of {@code buffer}; past that the call is cancelled and the subscriber gets
 * RESOURCE_EXHAUSTED, so a slow subscriber never grows memory. Cancelling the subscription cancels
 * the call, which ends the stream on the server. Thread-safe.
 *
 * @param <T> the operation's output type
 */
public final class RemoteStream<T> implements Flow.Publisher<T> {
  /** Where the transport pushes one call's signals; callable from any thread, one at a time. */
  public interface Emitter {
    /** Delivers a value. */
    void next(Object value);

    /**
     * Ends with an error; a {@link ServiceException} keeps its code, anything else is UNAVAILABLE.
     */
    void error(Throwable error);

    /** Ends normally. */
    void complete();
  }

  /** Opens one call on the server. */
  @FunctionalInterface
  public interface Opener {
    /**
     * Starts the call, pushing into {@code emitter}; returns what cancels it (it may run after the
     * call ended, and must then do nothing).
     */
    Runnable open(Emitter emitter);
  }

  private final int buffer;
  private final Opener opener;

  /** Returns a publisher that opens a call through {@code opener} per subscriber. */
  public RemoteStream(int buffer, Opener opener) {
    if (buffer < 1) {
      throw new IllegalArgumentException("buffer: " + buffer + " (expected: >= 1)");
    }
    this.buffer = buffer;
    this.opener = requireNonNull(opener, "opener");
  }

  @Override
  public void subscribe(Flow.Subscriber<? super T> subscriber) {
    requireNonNull(subscriber, "subscriber");
    Call<T> call = new Call<>(subscriber, buffer);
    subscriber.onSubscribe(call);
    Runnable cancel;
    try {
      cancel = opener.open(call);
    } catch (RuntimeException e) {
      call.error(e);
      return;
    }
    call.opened(cancel);
  }

  private static final class Call<T> implements Flow.Subscription, Emitter {
    private final Flow.Subscriber<? super T> subscriber;
    private final int buffer;
    private final AtomicInteger wip = new AtomicInteger();
    // Guarded by this.
    private final ArrayDeque<Object> queue = new ArrayDeque<>();
    private long demand;
    private Throwable failure;
    private boolean completed;
    private boolean cancelled;
    private boolean done;
    private Runnable cancelCall;

    Call(Flow.Subscriber<? super T> subscriber, int buffer) {
      this.subscriber = subscriber;
      this.buffer = buffer;
    }

    void opened(Runnable cancel) {
      boolean now;
      synchronized (this) {
        cancelCall = cancel;
        now = cancelled || done;
      }
      if (now && cancel != null) {
        cancel.run();
      }
    }

    @Override
    public void next(Object value) {
      boolean overflow = false;
      synchronized (this) {
        if (cancelled || completed || failure != null) {
          return;
        }
        if (queue.size() >= buffer) {
          failure =
              new ServiceException(
                  ErrorCode.RESOURCE_EXHAUSTED,
                  "the subscriber fell behind (" + buffer + " values buffered by the client)");
          queue.clear();
          overflow = true;
        } else {
          queue.addLast(value);
        }
      }
      if (overflow) {
        cancelCall();
      }
      drain();
    }

    @Override
    public void error(Throwable error) {
      synchronized (this) {
        if (failure == null && !completed) {
          failure =
              error instanceof ServiceException
                  ? error
                  : new ServiceException(ErrorCode.UNAVAILABLE, String.valueOf(error.getMessage()));
        }
      }
      drain();
    }

    @Override
    public void complete() {
      synchronized (this) {
        completed = true;
      }
      drain();
    }

    @Override
    public void request(long n) {
      synchronized (this) {
        if (n <= 0 && failure == null) {
          failure = new IllegalArgumentException("request(" + n + ") (expected: > 0; rule 3.9)");
          queue.clear();
        } else {
          demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
        }
      }
      drain();
    }

    @Override
    public void cancel() {
      synchronized (this) {
        cancelled = true;
        queue.clear();
      }
      cancelCall();
    }

    private void cancelCall() {
      Runnable c;
      synchronized (this) {
        c = cancelCall;
        cancelCall = null;
      }
      if (c != null) {
        c.run();
      }
    }

    @SuppressWarnings("unchecked")
    private void drain() {
      if (wip.getAndIncrement() != 0) {
        return;
      }
      int missed = 1;
      do {
        while (true) {
          Object value;
          Throwable error = null;
          boolean end = false;
          synchronized (this) {
            if (cancelled || done) {
              break;
            }
            if (!queue.isEmpty() && demand > 0) {
              demand--;
              value = queue.pollFirst();
            } else if (queue.isEmpty() && (completed || failure != null)) {
              done = true;
              end = true;
              error = failure;
              value = null;
            } else if (failure instanceof IllegalArgumentException) {
              done = true;
              end = true;
              error = failure;
              value = null;
            } else {
              break;
            }
          }
          if (end) {
            if (error != null) {
              cancelCall();
              subscriber.onError(error);
            } else {
              subscriber.onComplete();
            }
            break;
          }
          subscriber.onNext((T) value);
        }
        missed = wip.addAndGet(-missed);
      } while (missed != 0);
    }
  }
}
