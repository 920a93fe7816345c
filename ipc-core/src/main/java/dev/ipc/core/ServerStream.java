package dev.ipc.core;

import dev.ipc.core.model.Operation;
import dev.ipc.core.spi.StreamHandle;
import dev.ipc.core.spi.StreamSink;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open stream on the server: subscribes to the service's publisher with a demand of {@code
 * buffer} values, holds what the transport cannot take yet in a queue of at most that many, and
 * writes to the transport's sink from the executor, one drain at a time. A publisher that outruns
 * the buffer ends the stream with RESOURCE_EXHAUSTED instead of growing memory or waiting on the
 * caller.
 */
final class ServerStream implements Flow.Subscriber<Object>, Feeds.Sequenced, StreamHandle {
  private static final Logger LOG = LoggerFactory.getLogger(ServerStream.class);

  private record Item(long id, Object value) {}

  private final Operation<?, ?, ?> operation;
  private final StreamSink sink;
  private final Executor executor;
  private final int buffer;
  private final Runnable onEnd;
  private final java.util.concurrent.atomic.LongAdder delivered;
  private final java.util.concurrent.atomic.LongAdder endedBehind;
  private final AtomicInteger wip = new AtomicInteger();
  private final ArrayDeque<Item> queue = new ArrayDeque<>();
  // Guarded by queue.
  private Flow.Subscription upstream;
  private long nextId;
  private ServiceException failure;
  private boolean completed;
  private boolean cancelled;
  private boolean ended;

  ServerStream(
      Operation<?, ?, ?> operation,
      StreamSink sink,
      Executor executor,
      int buffer,
      java.util.concurrent.atomic.LongAdder delivered,
      java.util.concurrent.atomic.LongAdder endedBehind,
      Runnable onEnd) {
    this.delivered = delivered;
    this.endedBehind = endedBehind;
    this.operation = operation;
    this.sink = sink;
    this.executor = executor;
    this.buffer = buffer;
    this.onEnd = onEnd;
  }

  @Override
  public void onSubscribe(Flow.Subscription subscription) {
    boolean cancel;
    synchronized (queue) {
      cancel = upstream != null || cancelled || completed || failure != null;
      if (upstream == null) {
        upstream = subscription;
      }
    }
    if (cancel) {
      subscription.cancel();
      return;
    }
    subscription.request(buffer);
  }

  @Override
  public void onNext(Object value) {
    long id;
    synchronized (queue) {
      id = ++nextId;
    }
    onNext(id, value);
  }

  @Override
  public void onNext(long id, Object value) {
    Flow.Subscription cancel = null;
    synchronized (queue) {
      if (cancelled || completed || failure != null) {
        return;
      }
      nextId = Math.max(nextId, id);
      if (value == null || !operation.output().javaType().isInstance(value)) {
        failure =
            ServiceException.from(new IllegalStateException(operation + " streamed " + value));
        cancel = upstream;
      } else if (queue.size() >= buffer) {
        // The publisher ignored demand, or the caller stopped reading: either way, bounded.
        failure =
            new ServiceException(
                ErrorCode.RESOURCE_EXHAUSTED,
                operation + ": the subscriber fell behind (" + buffer + " values buffered)");
        queue.clear();
        cancel = upstream;
      } else {
        queue.addLast(new Item(id, value));
      }
    }
    if (cancel != null) {
      cancel.cancel();
    }
    schedule();
  }

  @Override
  public void onError(Throwable error) {
    synchronized (queue) {
      if (failure == null && !completed) {
        failure = ServiceException.from(error);
        if (failure.code() == ErrorCode.RESOURCE_EXHAUSTED) {
          // Fell behind at the source: what is queued would only delay the news.
          queue.clear();
        }
      }
    }
    schedule();
  }

  @Override
  public void onComplete() {
    synchronized (queue) {
      completed = true;
    }
    schedule();
  }

  /** Ends the stream because the server is closing: buffered values first, then complete. */
  void finish() {
    Flow.Subscription s;
    synchronized (queue) {
      completed = true;
      s = upstream;
    }
    if (s != null) {
      s.cancel();
    }
    schedule();
  }

  @Override
  public void ready() {
    schedule();
  }

  @Override
  public void cancel() {
    Flow.Subscription s;
    boolean end;
    synchronized (queue) {
      if (cancelled) {
        return;
      }
      cancelled = true;
      queue.clear();
      s = upstream;
      end = !ended;
      ended = true;
    }
    if (s != null) {
      s.cancel();
    }
    if (end) {
      onEnd.run();
    }
  }

  private void schedule() {
    if (wip.getAndIncrement() != 0) {
      return;
    }
    try {
      executor.execute(this::drain);
    } catch (RejectedExecutionException e) {
      // A saturated executor: the sink never blocks, so deliver here rather than lose the signal.
      drain();
    }
  }

  private void drain() {
    int missed = 1;
    do {
      while (true) {
        Item item;
        Flow.Subscription s;
        synchronized (queue) {
          if (ended || cancelled) {
            break;
          }
          if (queue.isEmpty()
              || failure != null && failure.code() == ErrorCode.RESOURCE_EXHAUSTED) {
            if (failure == null && !completed) {
              break;
            }
            ended = true;
          } else if (!sink.isReady()) {
            break;
          }
          item = ended ? null : queue.pollFirst();
          s = upstream;
        }
        if (item == null) {
          terminate();
          break;
        }
        try {
          sink.next(item.id(), item.value());
          delivered.increment();
        } catch (RuntimeException e) {
          LOG.warn("{}: the transport failed to write a value; ending the stream", operation, e);
          cancel();
          break;
        }
        if (s != null) {
          s.request(1);
        }
      }
      missed = wip.addAndGet(-missed);
    } while (missed != 0);
  }

  private void terminate() {
    ServiceException error;
    synchronized (queue) {
      error = failure;
    }
    try {
      if (error != null) {
        if (error.code() == ErrorCode.RESOURCE_EXHAUSTED) {
          endedBehind.increment();
        }
        sink.error(error);
      } else {
        sink.complete();
      }
    } catch (RuntimeException e) {
      LOG.warn("{}: the transport failed to end the stream", operation, e);
    } finally {
      onEnd.run();
    }
  }

  @Override
  public String toString() {
    return "stream of " + operation;
  }
}
