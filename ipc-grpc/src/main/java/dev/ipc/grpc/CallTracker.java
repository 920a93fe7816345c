package dev.ipc.grpc;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the adapter's calls in flight, so a graceful close refuses new ones and waits for the
 * rest. Lock-free on the call path; the lock is taken only once closing began.
 */
final class CallTracker {
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Object idle = new Object();
  private volatile boolean closing;

  void enter() {
    inFlight.incrementAndGet();
  }

  void exit() {
    if (inFlight.decrementAndGet() == 0 && closing) {
      synchronized (idle) {
        idle.notifyAll();
      }
    }
  }

  boolean isClosing() {
    return closing;
  }

  void beginClosing() {
    closing = true;
  }

  /** Waits until no call is in flight; returns whether that happened within {@code timeout}. */
  boolean awaitIdle(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (idle) {
      while (inFlight.get() > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(idle, left);
      }
      return true;
    }
  }
}
