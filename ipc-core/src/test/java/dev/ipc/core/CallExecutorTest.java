package dev.ipc.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CallExecutorTest {
  private final List<Throwable> uncaught = new CopyOnWriteArrayList<>();
  private final ThreadFactory factory =
      r -> {
        Thread t = new Thread(r, "test-call");
        t.setDaemon(true);
        t.setUncaughtExceptionHandler((th, e) -> uncaught.add(e));
        return t;
      };
  private CallExecutor executor;

  @AfterEach
  void stop() throws InterruptedException {
    if (executor != null) {
      executor.shutdownNow();
      assertTrue(executor.awaitTermination(5, TimeUnit.SECONDS), "threads ended");
    }
  }

  private CallExecutor executor(int threads, int queued, long keepAliveMillis) {
    executor = new CallExecutor(threads, queued, keepAliveMillis, TimeUnit.MILLISECONDS, factory);
    return executor;
  }

  @Test
  void everyTaskFromConcurrentSubmittersRunsExactlyOnce() throws Exception {
    CallExecutor e = executor(64, 100_000, 60_000);
    int submitters = 4;
    int each = 25_000;
    AtomicLong sum = new AtomicLong();
    AtomicInteger ran = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(submitters * each);
    Thread[] threads = new Thread[submitters];
    for (int s = 0; s < submitters; s++) {
      int base = s * each;
      threads[s] =
          new Thread(
              () -> {
                for (int i = 0; i < each; i++) {
                  long value = (long) base + i;
                  e.execute(
                      () -> {
                        if (value % 1000 == 0) {
                          // Now and then a call that blocks, so threads go idle and wake in
                          // between.
                          sleep(1);
                        }
                        sum.addAndGet(value);
                        ran.incrementAndGet();
                        done.countDown();
                      });
                }
              });
      threads[s].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    assertTrue(done.await(20, TimeUnit.SECONDS), "all ran, left: " + done.getCount());
    long n = (long) submitters * each;
    assertEquals(n * (n - 1) / 2, sum.get());
    assertEquals(n, ran.get());
  }

  @Test
  void burstsAndPausesLongerThanTheKeepAliveLoseNoTask() throws Exception {
    // Threads end (20 ms keep-alive) and start again all the time, while three submitters send
    // bursts
    // with pauses of every length: each task queued at any moment of that must still run.
    CallExecutor e = executor(8, 100_000, 20);
    AtomicLong submitted = new AtomicLong();
    AtomicLong ran = new AtomicLong();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    Thread[] submitters = new Thread[3];
    for (int s = 0; s < submitters.length; s++) {
      submitters[s] =
          new Thread(
              () -> {
                java.util.Random random = new java.util.Random(42);
                while (System.nanoTime() < end) {
                  int burst = 1 + random.nextInt(20);
                  for (int i = 0; i < burst; i++) {
                    boolean blocks = random.nextInt(20) == 0;
                    e.execute(
                        () -> {
                          if (blocks) {
                            sleep(1);
                          }
                          ran.incrementAndGet();
                        });
                    submitted.incrementAndGet();
                  }
                  int pause = random.nextInt(100);
                  if (pause < 30) {
                    java.util.concurrent.locks.LockSupport.parkNanos(1 + random.nextInt(300_000));
                  } else if (pause < 33) {
                    sleep(15 + random.nextInt(20)); // around the keep-alive: threads end meanwhile
                  }
                }
              });
      submitters[s].start();
    }
    for (Thread t : submitters) {
      t.join();
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (ran.get() < submitted.get() && System.nanoTime() < deadline) {
      sleep(5);
    }
    assertTrue(submitted.get() > 1000, "submitted " + submitted.get());
    assertEquals(submitted.get(), ran.get(), "tasks that never ran");
  }

  @Test
  void blockedCallsGetTheirOwnThreadsUpToTheLimitThenQueue() throws Exception {
    CallExecutor e = executor(8, 10, 60_000);
    CountDownLatch allStarted = new CountDownLatch(8);
    CountDownLatch release = new CountDownLatch(1);
    for (int i = 0; i < 8; i++) {
      e.execute(
          () -> {
            allStarted.countDown();
            await(release);
          });
    }
    // Eight calls blocked at once means eight threads: none waits behind another.
    assertTrue(allStarted.await(5, TimeUnit.SECONDS), "all 8 started while the others block");
    assertEquals(8, e.threadCounts()[0]);
    CountDownLatch ninth = new CountDownLatch(1);
    e.execute(ninth::countDown);
    assertFalse(ninth.await(100, TimeUnit.MILLISECONDS), "the ninth waits: all 8 threads are busy");
    release.countDown();
    assertTrue(ninth.await(5, TimeUnit.SECONDS), "the ninth runs once a thread is free");
    assertEquals(8, e.threadCounts()[0], "no thread beyond the limit");
  }

  @Test
  void aCallWaitingForALaterCallIsNotStuckBehindIt() throws Exception {
    CallExecutor e = executor(64, 100, 60_000);
    // Warm up some idle threads first, so the later call takes the wake-up path, not a new thread.
    for (int i = 0; i < 200; i++) {
      CountDownLatch one = new CountDownLatch(1);
      e.execute(one::countDown);
      assertTrue(one.await(5, TimeUnit.SECONDS));
    }
    for (int round = 0; round < 100; round++) {
      CountDownLatch second = new CountDownLatch(1);
      CountDownLatch first = new CountDownLatch(1);
      e.execute(
          () -> {
            await(second);
            first.countDown();
          });
      e.execute(second::countDown);
      assertTrue(first.await(5, TimeUnit.SECONDS), "round " + round);
    }
  }

  @Test
  void rejectsWhenAllThreadsAreBusyAndTheQueueIsFull() throws Exception {
    CallExecutor e = executor(2, 3, 60_000);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch started = new CountDownLatch(2);
    for (int i = 0; i < 2; i++) {
      e.execute(
          () -> {
            started.countDown();
            await(release);
          });
    }
    assertTrue(started.await(5, TimeUnit.SECONDS));
    AtomicInteger ran = new AtomicInteger();
    for (int i = 0; i < 3; i++) {
      e.execute(ran::incrementAndGet);
    }
    assertEquals(3, e.queued());
    assertEquals(0, e.refused());
    RejectedExecutionException r =
        assertThrows(RejectedExecutionException.class, () -> e.execute(ran::incrementAndGet));
    assertTrue(r.getMessage().contains("saturated"), r.getMessage());
    assertEquals(1, e.refused(), "counted for the metrics");
    release.countDown();
    e.shutdown();
    assertTrue(e.awaitTermination(5, TimeUnit.SECONDS));
    assertEquals(3, ran.get(), "the queued tasks ran; the rejected one did not");
  }

  @Test
  void aSteadyTrickleOfCallsKeepsUsingTheThreadThatWentIdleLast() throws Exception {
    CallExecutor e = executor(64, 100, 60_000);
    // A burst starts many threads...
    CountDownLatch burst = new CountDownLatch(32);
    CountDownLatch go = new CountDownLatch(1);
    for (int i = 0; i < 32; i++) {
      e.execute(
          () -> {
            await(go);
            burst.countDown();
          });
    }
    go.countDown();
    assertTrue(burst.await(5, TimeUnit.SECONDS));
    assertTrue(e.threadCounts()[0] >= 32, "the burst started a thread per blocked call");
    // ...then calls one after another: the JDK pool would rotate through all 32 (it wakes the
    // thread
    // idle longest); this one keeps waking the same.
    Set<Thread> used = ConcurrentHashMap.newKeySet();
    for (int i = 0; i < 200; i++) {
      CountDownLatch one = new CountDownLatch(1);
      e.execute(
          () -> {
            used.add(Thread.currentThread());
            one.countDown();
          });
      assertTrue(one.await(5, TimeUnit.SECONDS));
    }
    assertTrue(used.size() <= 8, "threads used for 200 sequential calls: " + used.size());
  }

  @Test
  void idleThreadsEndAfterTheKeepAliveAndNewCallsStillRun() throws Exception {
    CallExecutor e = executor(16, 100, 50);
    CountDownLatch go = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(8);
    for (int i = 0; i < 8; i++) {
      e.execute(
          () -> {
            await(go);
            done.countDown();
          });
    }
    go.countDown();
    assertTrue(done.await(5, TimeUnit.SECONDS));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (e.threadCounts()[0] > 0 && System.nanoTime() < deadline) {
      sleep(10);
    }
    assertEquals(0, e.threadCounts()[0], "idle threads ended");
    CountDownLatch after = new CountDownLatch(1);
    e.execute(after::countDown);
    assertTrue(after.await(5, TimeUnit.SECONDS));
  }

  @Test
  void shutdownRunsWhatWasQueuedThenRefusesNewTasks() throws Exception {
    CallExecutor e = executor(1, 10, 60_000);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger ran = new AtomicInteger();
    e.execute(() -> await(release));
    for (int i = 0; i < 5; i++) {
      e.execute(ran::incrementAndGet);
    }
    e.shutdown();
    assertTrue(e.isShutdown());
    assertThrows(RejectedExecutionException.class, () -> e.execute(ran::incrementAndGet));
    assertFalse(e.isTerminated(), "a task still runs");
    assertFalse(e.awaitTermination(50, TimeUnit.MILLISECONDS));
    release.countDown();
    assertTrue(e.awaitTermination(5, TimeUnit.SECONDS));
    assertTrue(e.isTerminated());
    assertEquals(5, ran.get());
    assertEquals(0, e.threadCounts()[0]);
  }

  @Test
  void shutdownNowInterruptsRunningTasksAndReturnsTheQueuedOnes() throws Exception {
    CallExecutor e = executor(1, 10, 60_000);
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch interrupted = new CountDownLatch(1);
    e.execute(
        () -> {
          started.countDown();
          try {
            new CountDownLatch(1).await(); // until interrupted: nothing else ends it
          } catch (InterruptedException x) {
            interrupted.countDown();
          }
        });
    assertTrue(started.await(5, TimeUnit.SECONDS));
    Runnable queued = () -> {};
    e.execute(queued);
    List<Runnable> left = e.shutdownNow();
    assertEquals(List.of(queued), left);
    assertTrue(interrupted.await(5, TimeUnit.SECONDS), "the running task saw the interrupt");
    assertTrue(e.awaitTermination(5, TimeUnit.SECONDS));
  }

  @Test
  void aFailingTaskIsReportedAndTheThreadCarriesOnWithoutItsInterrupt() throws Exception {
    CallExecutor e = executor(1, 10, 60_000);
    e.execute(
        () -> {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("boom");
        });
    AtomicInteger sawInterrupt = new AtomicInteger(-1);
    CountDownLatch next = new CountDownLatch(1);
    e.execute(
        () -> {
          sawInterrupt.set(Thread.currentThread().isInterrupted() ? 1 : 0);
          next.countDown();
        });
    assertTrue(next.await(5, TimeUnit.SECONDS));
    assertEquals(0, sawInterrupt.get(), "an interrupt does not leak into the next task");
    assertEquals(1, uncaught.size());
    assertEquals("boom", uncaught.get(0).getMessage());
    assertEquals(1, e.threadCounts()[0], "the same thread carried on");
  }

  @Test
  void aTaskThatLeavesItsThreadInterruptedDoesNotMakeItSpinWhileIdle() throws Exception {
    CallExecutor e = executor(1, 10, 60_000);
    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
    long[] id = new long[1];
    CountDownLatch ran = new CountDownLatch(1);
    e.execute(
        () -> {
          id[0] = Thread.currentThread().getId();
          Thread.currentThread().interrupt();
          ran.countDown();
        });
    assertTrue(ran.await(5, TimeUnit.SECONDS));
    sleep(100);
    long before = mx.getThreadCpuTime(id[0]);
    sleep(500);
    long used = mx.getThreadCpuTime(id[0]) - before;
    // Parked, it uses next to nothing; spinning on a stale interrupt it would use the whole 500 ms.
    assertTrue(
        used < TimeUnit.MILLISECONDS.toNanos(100),
        "idle thread used " + used / 1_000_000 + " ms of CPU");
    CountDownLatch next = new CountDownLatch(1);
    e.execute(next::countDown);
    assertTrue(next.await(5, TimeUnit.SECONDS));
  }

  @Test
  void aThreadFactoryThatFailsMeansRejection() {
    executor =
        new CallExecutor(
            4,
            10,
            1,
            TimeUnit.SECONDS,
            r -> {
              throw new IllegalStateException("no threads today");
            });
    RejectedExecutionException r =
        assertThrows(RejectedExecutionException.class, () -> executor.execute(() -> {}));
    assertEquals("no threads today", r.getCause().getMessage());
    assertEquals(0, executor.threadCounts()[0]);
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("latch not released");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
