package dev.ipc.grpc;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Counts the adapter's calls in flight, so a graceful close waits for them and refuses new ones. */
final class CallTracker {
  private final Object lock = new Object();
  private int inFlight;
  private volatile boolean closing;

  void enter() {
    synchronized (lock) {
      inFlight++;
    }
  }

  void exit() {
    synchronized (lock) {
      if (--inFlight == 0) {
        lock.notifyAll();
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
    synchronized (lock) {
      while (inFlight > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(lock, left);
      }
      return true;
    }
  }
}
