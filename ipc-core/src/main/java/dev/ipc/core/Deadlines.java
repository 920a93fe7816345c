package dev.ipc.core;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Interrupts a call's thread when its deadline passes, so that service code blocked in I/O or a
 * wait stops instead of holding a thread for a caller who has gone. One timer thread for the JVM:
 * arming and disarming are a queue insert and removal.
 */
final class Deadlines {
  private static final ScheduledThreadPoolExecutor TIMER = timer();

  private Deadlines() {}

  private static ScheduledThreadPoolExecutor timer() {
    ScheduledThreadPoolExecutor t =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread th = new Thread(r, "ipc-deadlines");
              th.setDaemon(true);
              return th;
            });
    // Most calls end before their deadline: drop their tasks at once rather than when they fall
    // due.
    t.setRemoveOnCancelPolicy(true);
    return t;
  }

  /**
   * Returns the earlier of the caller's deadline and the server's call timeout from now; may be
   * null.
   */
  static Instant effective(Instant callerDeadline, Duration callTimeout) {
    if (callTimeout == null) {
      return callerDeadline;
    }
    Instant server = Instant.now().plus(callTimeout);
    return callerDeadline == null || server.isBefore(callerDeadline) ? server : callerDeadline;
  }

  /** Arms a guard that interrupts the current thread at {@code deadline}. */
  static Guard arm(Instant deadline) {
    Guard g = new Guard(Thread.currentThread());
    long nanos = Duration.between(Instant.now(), deadline).toNanos();
    g.task = TIMER.schedule(g::fire, Math.max(0, nanos), TimeUnit.NANOSECONDS);
    return g;
  }

  /** One call's guard. */
  static final class Guard {
    private final Thread thread;
    private ScheduledFuture<?> task;
    private boolean fired;
    private boolean disarmed;

    private Guard(Thread thread) {
      this.thread = thread;
    }

    private synchronized void fire() {
      if (!disarmed) {
        fired = true;
        thread.interrupt();
      }
    }

    /**
     * Stops the guard; returns whether the deadline had passed. The interrupt is cleared then, so
     * it never leaks into the next call this pooled thread runs: under the lock, no later interrupt
     * comes.
     */
    boolean disarm() {
      synchronized (this) {
        disarmed = true;
        if (!fired) {
          task.cancel(false);
          return false;
        }
      }
      Thread.interrupted();
      return true;
    }
  }
}
