package dev.ipc.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The default executor for service code: a task goes to an idle thread, else to a new thread while
 * fewer than {@code maxThreads} run, else into a bounded queue; threads idle for the keep-alive
 * time end. Unlike the JDK's {@link java.util.concurrent.ThreadPoolExecutor} it wakes the thread
 * that went idle last, not the one idle longest, so a steady load of short calls keeps a few
 * threads (and their caches) warm instead of rotating through all of them; measured, that is about
 * a tenth of a REST call's CPU. It takes no lock on the way: a lock shared by the event loops and
 * the call threads made them block on each other.
 */
final class CallExecutor extends AbstractExecutorService {
  private final int maxThreads;
  private final int maxQueued;
  private final long keepAliveNanos;
  private final ThreadFactory factory;
  private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final java.util.concurrent.atomic.AtomicLong refused =
      new java.util.concurrent.atomic.AtomicLong();
  private final AtomicInteger threads = new AtomicInteger(); // started and not yet ended
  private final AtomicInteger waking = new AtomicInteger(); // woken, not yet back at the queue
  private final ConcurrentLinkedDeque<Idle> idle = new ConcurrentLinkedDeque<>(); // last: newest
  private final Set<Thread> live = ConcurrentHashMap.newKeySet();
  private final Object termination = new Object();
  private volatile boolean shutdown;
  private volatile boolean stopped; // after shutdownNow: every task starts interrupted

  CallExecutor(
      int maxThreads, int maxQueued, long keepAlive, TimeUnit unit, ThreadFactory factory) {
    if (maxThreads < 1 || maxQueued < 0 || keepAlive <= 0) {
      throw new IllegalArgumentException("expected maxThreads >= 1, maxQueued >= 0, keepAlive > 0");
    }
    this.maxThreads = maxThreads;
    this.maxQueued = maxQueued;
    this.keepAliveNanos = unit.toNanos(keepAlive);
    this.factory = Objects.requireNonNull(factory, "factory");
  }

  /** One idle spell of a thread, waiting in {@link #idle} until woken or it leaves. */
  private static final class Idle {
    static final int WAITING = 0;
    static final int WOKEN = 1;
    static final int LEFT = 2;
    private static final VarHandle STATE;

    static {
      try {
        STATE = MethodHandles.lookup().findVarHandle(Idle.class, "state", int.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    final Thread thread;
    volatile int state;

    Idle(Thread thread) {
      this.thread = thread;
    }

    boolean move(int from, int to) {
      return STATE.compareAndSet(this, from, to);
    }
  }

  @Override
  public void execute(Runnable task) {
    Objects.requireNonNull(task, "task");
    if (shutdown) {
      throw new RejectedExecutionException("executor is shut down");
    }
    if (idle.peekLast() == null && tryStart(task)) {
      return;
    }
    if (queued.getAndIncrement() >= maxQueued) {
      queued.decrementAndGet();
      refused.incrementAndGet();
      throw new RejectedExecutionException(
          "executor is saturated: "
              + maxThreads
              + " threads busy and "
              + maxQueued
              + " tasks queued");
    }
    queue.offer(task);
    if (shutdown && queue.remove(task)) {
      queued.decrementAndGet();
      throw new RejectedExecutionException("executor is shut down");
    }
    helpWith();
  }

  /** Returns how many tasks wait in the queue now. */
  int queued() {
    return Math.max(0, queued.get());
  }

  /** Returns how many tasks were refused because threads and queue were full. */
  long refused() {
    return refused.get();
  }

  /**
   * Makes sure a thread will look at the queue: none needed while one woken earlier is still on its
   * way there (it takes more help if it finds more than one task, as the JDK pool's threads do),
   * else the thread that went idle last, else a new thread if the limit allows (a busy one might be
   * waiting for this very task).
   */
  private void helpWith() {
    if (waking.get() == 0 && !wakeOne()) {
      tryStart(null);
    }
  }

  /** Wakes the thread that went idle last; returns false when none is idle. */
  private boolean wakeOne() {
    Idle n;
    while ((n = idle.pollLast()) != null) {
      // Counted before it is woken, so nobody sees it neither idle nor on its way.
      waking.incrementAndGet();
      if (n.move(Idle.WAITING, Idle.WOKEN)) {
        LockSupport.unpark(n.thread);
        return true;
      }
      waking.decrementAndGet();
    }
    return false;
  }

  /**
   * Starts a thread running {@code first} and then the queue, unless {@code maxThreads} run. A
   * thread with no first task may start after shutdown, to drain the queue.
   */
  private boolean tryStart(Runnable first) {
    while (true) {
      int n = threads.get();
      if (n >= maxThreads) {
        return false;
      }
      if (threads.compareAndSet(n, n + 1)) {
        break;
      }
    }
    if (first != null && shutdown) {
      ended();
      throw new RejectedExecutionException("executor is shut down");
    }
    try {
      Thread t = factory.newThread(new Worker(first));
      if (t == null) {
        throw new IllegalStateException("thread factory returned null");
      }
      t.start();
      return true;
    } catch (RuntimeException | Error e) {
      ended();
      if (first == null) {
        return false;
      }
      throw new RejectedExecutionException("cannot start a thread", e);
    }
  }

  /** Counts a thread out, and tells awaitTermination when it was the last after shutdown. */
  private void ended() {
    if (threads.decrementAndGet() == 0 && shutdown) {
      synchronized (termination) {
        termination.notifyAll();
      }
    }
  }

  /** Returns the next task for the calling thread, or null when it should end. */
  private Runnable take() {
    long deadline = System.nanoTime() + keepAliveNanos;
    Idle spell = null;
    while (true) {
      if (spell != null && spell.state != Idle.WAITING) {
        end(spell); // woken
        spell = null;
      }
      Runnable r = queue.poll();
      if (r != null) {
        if (spell != null) {
          end(spell);
        }
        queued.decrementAndGet();
        if (!queue.isEmpty()) {
          helpWith();
        }
        return r;
      }
      if (shutdown) {
        if (spell != null) {
          end(spell);
        }
        return null;
      }
      if (spell == null) {
        // Announce this thread idle, then look at the queue once more before sleeping: a task
        // queued just before the announcement found no one to wake.
        spell = new Idle(Thread.currentThread());
        idle.addLast(spell);
        continue;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        if (end(spell)) {
          return null;
        }
        spell = null; // woken at the last moment: its task is queued
        continue;
      }
      // A task may have left this thread interrupted: parkNanos would then return at once, forever.
      // (shutdownNow's interrupt needs no keeping: it also wakes every idle thread, which then
      // ends.)
      Thread.interrupted();
      LockSupport.parkNanos(this, left);
    }
  }

  /**
   * Ends an idle spell: returns true if nobody woke it; if someone did, this thread is now back at
   * the queue, no longer on its way.
   */
  private boolean end(Idle spell) {
    if (spell.move(Idle.WAITING, Idle.LEFT)) {
      idle.removeLastOccurrence(spell);
      return true;
    }
    waking.decrementAndGet();
    return false;
  }

  @Override
  public void shutdown() {
    shutdown = true;
    while (wakeOne()) {
      // every idle thread wakes, finds the queue empty, and ends
    }
    if (threads.get() == 0) {
      synchronized (termination) {
        termination.notifyAll();
      }
    }
  }

  @Override
  public List<Runnable> shutdownNow() {
    stopped = true;
    shutdown();
    List<Runnable> pending = new ArrayList<>();
    Runnable r;
    while ((r = queue.poll()) != null) {
      queued.decrementAndGet();
      pending.add(r);
    }
    for (Thread t : live) {
      t.interrupt();
    }
    return pending;
  }

  @Override
  public boolean isShutdown() {
    return shutdown;
  }

  @Override
  public boolean isTerminated() {
    return shutdown && threads.get() == 0 && queue.isEmpty();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    synchronized (termination) {
      while (!isTerminated()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(termination, left);
      }
      return true;
    }
  }

  /** For tests: threads started and not ended, and how many of them are idle. */
  int[] threadCounts() {
    int waiting = 0;
    for (Idle i : idle) {
      if (i.state == Idle.WAITING) {
        waiting++;
      }
    }
    return new int[] {threads.get(), waiting};
  }

  private final class Worker implements Runnable {
    private final Runnable first;

    Worker(Runnable first) {
      this.first = first;
    }

    @Override
    public void run() {
      Thread me = Thread.currentThread();
      live.add(me);
      try {
        if (stopped) {
          me.interrupt();
        }
        Runnable r = first;
        while (r != null || (r = take()) != null) {
          // Like ThreadPoolExecutor: a task never sees an interrupt meant for the one before, but
          // after shutdownNow every task sees one.
          if (stopped) {
            me.interrupt();
          } else {
            Thread.interrupted();
          }
          try {
            r.run();
          } catch (Throwable t) {
            // The thread carries on; the failure goes where an uncaught one would.
            me.getUncaughtExceptionHandler().uncaughtException(me, t);
          }
          r = null;
        }
      } finally {
        live.remove(me);
        ended();
        // A task queued while this thread was ending must not wait for a call that may never come.
        if (!queue.isEmpty() && !stopped) {
          tryStart(null);
        }
      }
    }
  }
}
