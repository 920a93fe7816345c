package dev.ipc.examples.bench;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * What the subscribers of one side of the fan-out benchmark received: how many values, each one's
 * latency (its name carries the {@link System#nanoTime()} its put started at; publisher and
 * subscribers share the JVM's clock), and which subscribers have received anything yet. The
 * publisher waits on it for deliveries. Thread-safe: subscribers call {@link #onValue} from their
 * client's threads.
 */
final class FanoutRecorder {
  private final AtomicIntegerArray seen;
  private final AtomicInteger seenCount = new AtomicInteger();
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private volatile Throwable firstError;
  private final Histogram latency = new Histogram();

  /** The delivery count the waiting publisher wakes at; MAX_VALUE while nobody waits. */
  private volatile long target = Long.MAX_VALUE;

  private volatile Thread waiter;

  FanoutRecorder(int subscribers) {
    this.seen = new AtomicIntegerArray(subscribers);
  }

  int subscribers() {
    return seen.length();
  }

  /** Subscriber {@code index} received a task named {@code name}. */
  void onValue(int index, String name) {
    long now = System.nanoTime();
    long sent;
    try {
      sent = Long.parseLong(name);
    } catch (NumberFormatException e) {
      return; // not one of ours
    }
    if (seen.get(index) == 0 && seen.compareAndSet(index, 0, 1)) {
      seenCount.incrementAndGet();
    }
    latency.record(now - sent);
    if (delivered.incrementAndGet() >= target) {
      Thread w = waiter;
      if (w != null) {
        LockSupport.unpark(w);
      }
    }
  }

  /**
   * A subscriber's stream ended with an error (the benchmark never ends them itself while
   * measuring).
   */
  void onError(Throwable error) {
    if (errors.incrementAndGet() == 1) {
      firstError = error;
    }
  }

  /** The first error a subscriber got, or null. */
  Throwable firstError() {
    return firstError;
  }

  long errors() {
    return errors.get();
  }

  /** How many subscribers have received at least one value. */
  int ready() {
    return seenCount.get();
  }

  long delivered() {
    return delivered.get();
  }

  /** Waits until {@code count} values were delivered in all, or the deadline; says which. */
  boolean await(long count, long deadlineNanos) {
    if (delivered.get() >= count) {
      return true;
    }
    waiter = Thread.currentThread();
    target = count;
    try {
      while (delivered.get() < count) {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        // Woken by the delivery that reaches the target; the 1 ms cap only guards a missed wake-up.
        LockSupport.parkNanos(Math.min(left, 1_000_000));
      }
      return true;
    } finally {
      target = Long.MAX_VALUE;
    }
  }

  /** Starts a new round: no deliveries, no latencies. */
  void reset() {
    delivered.set(0);
    latency.reset();
  }

  /** The latency at quantile {@code q}, in microseconds. */
  long latencyMicros(double q) {
    return latency.quantile(q);
  }

  /**
   * Latencies in microseconds: exact below 2,048 us, then within 1/128 (0.8 %) of the value;
   * lock-free, so recording costs the subscribers' threads next to nothing.
   */
  static final class Histogram {
    private static final int LINEAR = 2048;
    private static final int SUB = 128;
    private final AtomicLongArray counts = new AtomicLongArray(LINEAR + 53 * SUB);

    void record(long nanos) {
      counts.incrementAndGet(index(Math.max(0, nanos / 1000)));
    }

    static int index(long micros) {
      if (micros < LINEAR) {
        return (int) micros;
      }
      int e = 63 - Long.numberOfLeadingZeros(micros);
      int sub = (int) ((micros >>> (e - 7)) & (SUB - 1));
      return LINEAR + (e - 11) * SUB + sub;
    }

    static long value(int index) {
      if (index < LINEAR) {
        return index;
      }
      int e = 11 + (index - LINEAR) / SUB;
      long sub = (index - LINEAR) % SUB;
      return (SUB + sub) << (e - 7);
    }

    long quantile(double q) {
      long total = 0;
      for (int i = 0; i < counts.length(); i++) {
        total += counts.get(i);
      }
      if (total == 0) {
        return 0;
      }
      long rank = Math.max(1, (long) Math.ceil(q * total));
      long seen = 0;
      for (int i = 0; i < counts.length(); i++) {
        seen += counts.get(i);
        if (seen >= rank) {
          return value(i);
        }
      }
      return value(counts.length() - 1);
    }

    void reset() {
      for (int i = 0; i < counts.length(); i++) {
        counts.set(i, 0);
      }
    }
  }
}
