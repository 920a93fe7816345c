package dev.ipc.grpc.bench;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import date.DatingGrpc;
import date.DatingOuterClass;
import dev.ipc.core.DatingService;
import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.Transports;
import dev.ipc.grpc.GrpcTransport;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Unary {@code /date.Dating/Eating} through ipc-grpc versus a hand-written grpc-java service with
 * generated stubs, in one JVM, with the same client (the generated stub). ipc-grpc runs twice: on
 * the server's default executor, and on a cached pool like grpc-java's ({@code +cp}). Prints
 * calls/s, p50, p99 and process CPU per call at 1 and 64 concurrent calls, with ratios to
 * grpc-java. Loopback only; bounded: {@code -Dbench.rounds} (default 3) alternating rounds of
 * {@code -Dbench.seconds} (default 2) per side, after {@code -Dbench.warmup} (default 2) seconds of
 * warm-up per side.
 */
public final class GrpcBench {
  private static final DatingOuterClass.Eat STEAK =
      DatingOuterClass.Eat.newBuilder().setFood("steak").build();

  private GrpcBench() {}

  /** Runs the benchmark and prints the table. */
  public static void main(String[] args) throws Exception {
    long seconds = Long.getLong("bench.seconds", 2);
    long warmup = Long.getLong("bench.warmup", 2);
    int rounds = Integer.getInteger("bench.rounds", 3);
    io.grpc.Server raw =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(new RawDating())
            .build()
            .start();
    // ipc-grpc as a host gets it: service code on the server's own executor (ipc-core's default).
    Server ipc =
        Transports.builder()
            .service(DatingService.DESCRIPTOR, Reference.dating())
            .transport(GrpcTransport.builder().host("127.0.0.1").port(0).build())
            .start();
    // The same adapter with service code on a cached pool, grpc-java's default executor: separates
    // the
    // adapter's cost from the executor's.
    java.util.concurrent.ExecutorService cached =
        java.util.concurrent.Executors.newCachedThreadPool();
    Server ipcCached =
        Transports.builder()
            .service(DatingService.DESCRIPTOR, Reference.dating())
            .transport(GrpcTransport.builder().host("127.0.0.1").port(0).executor(cached).build())
            .start();
    ManagedChannel rawChannel = channel(raw.getPort());
    ManagedChannel ipcChannel = channel(ipc.port("grpc"));
    ManagedChannel cachedChannel = channel(ipcCached.port("grpc"));
    try {
      System.out.printf(
          Locale.ROOT,
          "# unary /date.Dating/Eating, %d alternating %ds rounds per side after %ds warm-up, loopback%n",
          rounds,
          seconds,
          warmup);
      System.out.printf(
          Locale.ROOT,
          "%-12s %11s %10s %10s %10s %12s %10s %10s %10s%n",
          "concurrency",
          "side",
          "calls/s",
          "p50 us",
          "p99 us",
          "cpu us/call",
          "calls/s x",
          "p99 x",
          "cpu x");
      int[] levels =
          Arrays.stream(System.getProperty("bench.concurrency", "1,64").split(","))
              .mapToInt(Integer::parseInt)
              .toArray();
      for (int concurrency : levels) {
        run(rawChannel, concurrency, warmup);
        run(ipcChannel, concurrency, warmup);
        run(cachedChannel, concurrency, warmup);
        // Alternate short rounds so background load on a shared machine hits every side alike.
        Stats rawStats = null;
        Stats ipcStats = null;
        Stats cachedStats = null;
        for (int round = 0; round < rounds; round++) {
          rawStats = Stats.merge(rawStats, run(rawChannel, concurrency, seconds));
          ipcStats = Stats.merge(ipcStats, run(ipcChannel, concurrency, seconds));
          cachedStats = Stats.merge(cachedStats, run(cachedChannel, concurrency, seconds));
        }
        print(concurrency, "grpc-java", rawStats, null);
        print(concurrency, "ipc-grpc", ipcStats, rawStats);
        print(concurrency, "ipc-grpc+cp", cachedStats, rawStats);
      }
    } finally {
      rawChannel.shutdownNow();
      ipcChannel.shutdownNow();
      cachedChannel.shutdownNow();
      raw.shutdownNow();
      ipc.close();
      ipcCached.close();
      cached.shutdownNow();
    }
  }

  private static ManagedChannel channel(int port) {
    return NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
  }

  private static void print(int concurrency, String side, Stats s, Stats base) {
    String ratio =
        base == null
            ? ""
            : String.format(Locale.ROOT, "%.3f", s.callsPerSecond() / base.callsPerSecond());
    String p99 =
        base == null ? "" : String.format(Locale.ROOT, "%.3f", (double) s.p99() / base.p99());
    String cpu =
        base == null
            ? ""
            : String.format(Locale.ROOT, "%.3f", s.cpuMicrosPerCall() / base.cpuMicrosPerCall());
    System.out.printf(
        Locale.ROOT,
        "%-12d %11s %10.0f %10.1f %10.1f %12.1f %10s %10s %10s%n",
        concurrency,
        side,
        s.callsPerSecond(),
        s.p50() / 1000.0,
        s.p99() / 1000.0,
        s.cpuMicrosPerCall(),
        ratio,
        p99,
        cpu);
  }

  /** Keeps {@code concurrency} calls in flight for {@code seconds}; returns what it measured. */
  private static Stats run(ManagedChannel channel, int concurrency, long seconds)
      throws InterruptedException {
    long[] latencies = new long[8_000_000];
    AtomicInteger count = new AtomicInteger();
    long cpu0 = cpu();
    long start = System.nanoTime();
    long end = start + TimeUnit.SECONDS.toNanos(seconds);
    if (concurrency == 1) {
      DatingGrpc.DatingBlockingStub stub = DatingGrpc.newBlockingStub(channel);
      long now = start;
      while (now < end) {
        long t0 = System.nanoTime();
        if (!stub.eating(STEAK).getFeeling()) {
          throw new IllegalStateException("unexpected answer");
        }
        now = System.nanoTime();
        int i = count.getAndIncrement();
        if (i < latencies.length) {
          latencies[i] = now - t0;
        }
      }
      return new Stats(
          Arrays.copyOf(latencies, Math.min(count.get(), latencies.length)),
          now - start,
          cpu() - cpu0);
    }
    DatingGrpc.DatingFutureStub stub = DatingGrpc.newFutureStub(channel);
    CountDownLatch done = new CountDownLatch(concurrency);
    for (int w = 0; w < concurrency; w++) {
      new Loop(stub, end, latencies, count, done).next();
    }
    if (!done.await(seconds + 60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("calls did not finish");
    }
    long elapsed = System.nanoTime() - start;
    return new Stats(
        Arrays.copyOf(latencies, Math.min(count.get(), latencies.length)), elapsed, cpu() - cpu0);
  }

  private static long cpu() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** One closed loop: the next call starts when the previous one answers. */
  private static final class Loop implements FutureCallback<DatingOuterClass.Feel> {
    private final DatingGrpc.DatingFutureStub stub;
    private final long end;
    private final long[] latencies;
    private final AtomicInteger count;
    private final CountDownLatch done;
    private long t0;

    Loop(
        DatingGrpc.DatingFutureStub stub,
        long end,
        long[] latencies,
        AtomicInteger count,
        CountDownLatch done) {
      this.stub = stub;
      this.end = end;
      this.latencies = latencies;
      this.count = count;
      this.done = done;
    }

    void next() {
      t0 = System.nanoTime();
      Futures.addCallback(stub.eating(STEAK), this, MoreExecutors.directExecutor());
    }

    @Override
    public void onSuccess(DatingOuterClass.Feel result) {
      long now = System.nanoTime();
      int i = count.getAndIncrement();
      if (i < latencies.length) {
        latencies[i] = now - t0;
      }
      if (now < end) {
        next();
      } else {
        done.countDown();
      }
    }

    @Override
    public void onFailure(Throwable t) {
      System.err.println("call failed: " + t);
      done.countDown();
    }
  }

  @SuppressWarnings("ArrayRecordComponent") // a carrier, never compared or hashed: equality is moot
  private record Stats(long[] latencies, long elapsedNanos, long cpuNanos) {
    static Stats merge(Stats a, Stats b) {
      if (a == null) {
        Arrays.sort(b.latencies);
        return b;
      }
      long[] all = Arrays.copyOf(a.latencies, a.latencies.length + b.latencies.length);
      System.arraycopy(b.latencies, 0, all, a.latencies.length, b.latencies.length);
      Arrays.sort(all);
      return new Stats(all, a.elapsedNanos + b.elapsedNanos, a.cpuNanos + b.cpuNanos);
    }

    /** Process CPU (client and server together) per call: robust to other load on the machine. */
    double cpuMicrosPerCall() {
      return cpuNanos / 1000.0 / latencies.length;
    }

    double callsPerSecond() {
      return latencies.length / (elapsedNanos / 1e9);
    }

    long p50() {
      return latencies[(int) (latencies.length * 0.50)];
    }

    long p99() {
      return latencies[Math.min(latencies.length - 1, (int) (latencies.length * 0.99))];
    }
  }

  /** The hand-written baseline: what a grpc-java user writes from the generated base class. */
  private static final class RawDating extends DatingGrpc.DatingImplBase {
    private static final DatingOuterClass.Feel GOOD =
        DatingOuterClass.Feel.newBuilder().setFeeling(true).build();

    @Override
    public void eating(
        DatingOuterClass.Eat request, StreamObserver<DatingOuterClass.Feel> responseObserver) {
      responseObserver.onNext(
          DatingOuterClass.Feel.newBuilder().setFeeling(!request.getFood().isEmpty()).build());
      responseObserver.onCompleted();
    }

    @Override
    public void watchMovie(
        DatingOuterClass.Movie request, StreamObserver<DatingOuterClass.Feel> responseObserver) {
      responseObserver.onNext(GOOD);
      responseObserver.onCompleted();
    }
  }
}
