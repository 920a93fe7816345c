package dev.ipc.examples.bench;

import dev.ipc.core.Client;
import dev.ipc.core.DatingService;
import dev.ipc.core.Eat;
import dev.ipc.core.Principal;
import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.Task;
import dev.ipc.core.TaskService;
import dev.ipc.core.Transports;
import dev.ipc.examples.library.Library;
import dev.ipc.examples.library.MyLibrary;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;

/**
 * One harness for all four protocols: the same Dating and Task operations through each protocol's
 * {@link Client} against one server serving everything, printing calls/s, p50 and p99 per protocol;
 * then {@code Library.get} through the model derived from the plain interface against the same call
 * through a hand-written descriptor ({@link HandDescribed}), as a ratio per protocol.
 *
 * <p>Run: {@code bench/protocols.sh [seconds-per-case] [concurrency]}.
 */
public final class ProtocolBenchmark {
  private ProtocolBenchmark() {}

  /**
   * Runs every protocol and operation for {@code args[0]} seconds each at {@code args[1]} threads.
   */
  public static void main(String[] args) throws Exception {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 16;
    List<String> protocols = List.of("grpc", "rest", "graphql", "socketio");
    MyLibrary library = new MyLibrary();
    library.add(HandDescribed.BOOK);
    try (Server server =
            Transports.builder()
                .services(Reference.services())
                .service(library)
                .service(HandDescribed.LOOKUP, library::get)
                .transport("grpc://127.0.0.1:0")
                .transport("rest://127.0.0.1:0")
                .transport("graphql://127.0.0.1:0")
                .transport("socketio://127.0.0.1:0")
                .start();
        Server secured = securedServer(protocols)) {
      System.out.printf(
          "%d threads, %.1f s per case (after a %.1f s warm-up of each), %d cores, %s%n",
          threads, seconds, seconds, Runtime.getRuntime().availableProcessors(), cpu());
      System.out.printf(
          "%-9s %-14s %12s %10s %10s%n", "protocol", "operation", "calls/s", "p50 us", "p99 us");
      for (String protocol : protocols) {
        try (Client client =
            Transports.connect(protocol + "://127.0.0.1:" + server.port(protocol))) {
          DatingService dating = client.service(DatingService.DESCRIPTOR);
          TaskService tasks = client.service(TaskService.DESCRIPTOR);
          Eat steak = new Eat("steak");
          Map<String, IntConsumer> ops = new LinkedHashMap<>();
          ops.put("dating.eating", i -> dating.eating(steak));
          ops.put("task.get", i -> tasks.get(1 + (i % 3)));
          ops.put("task.put", i -> tasks.put(new Task(100 + (i % 1000), "t" + i)));
          // The same call through the model derived by reflection and through a hand-written one.
          Library derived = client.service(Library.class);
          HandDescribed.BookLookup byHand = client.service(HandDescribed.LOOKUP);
          ops.put("library.get", i -> derived.get(1));
          ops.put("hand.get", i -> byHand.get(1));
          // Warm every operation of this protocol first (JIT, connections), then measure each.
          for (IntConsumer op : ops.values()) {
            measure(op, seconds, threads);
          }
          for (Map.Entry<String, IntConsumer> op : ops.entrySet()) {
            Result r = measure(op.getValue(), seconds, threads);
            System.out.printf(
                "%-9s %-14s %12.0f %10.0f %10.0f%n",
                protocol, op.getKey(), r.perSecond, r.p50 / 1e3, r.p99 / 1e3);
          }
          // Derived against hand-described, alternating rounds so drift hits both alike.
          double[] ratios = new double[ROUNDS];
          for (int round = 0; round < ROUNDS; round++) {
            double hand = measure(ops.get("hand.get"), seconds, threads).perSecond;
            double derivedRate = measure(ops.get("library.get"), seconds, threads).perSecond;
            ratios[round] = derivedRate / hand;
          }
          System.out.printf(
              "%-9s derived/hand get: %s, mean %.3f%n",
              protocol, Arrays.toString(ratios), mean(ratios));
          // The same read on a server that authenticates every call and runs one interceptor.
          try (Client secureClient = securedClient(protocol, secured.port(protocol))) {
            TaskService secureTasks = secureClient.service(TaskService.class);
            IntConsumer plainGet = i -> tasks.get(1 + (i % 3));
            IntConsumer securedGet = i -> secureTasks.get(1 + (i % 3));
            measure(securedGet, seconds, threads);
            for (int round = 0; round < ROUNDS; round++) {
              double plain = measure(plainGet, seconds, threads).perSecond;
              ratios[round] = measure(securedGet, seconds, threads).perSecond / plain;
            }
          }
          System.out.printf(
              "%-9s secured/plain get: %s, mean %.3f%n",
              protocol, Arrays.toString(ratios), mean(ratios));
        }
      }
    }
  }

  private static final int ROUNDS = 3;

  /**
   * A client sending {@link #TOKEN}: per call over HTTP and gRPC; Socket.IO sends credentials once,
   * in the handshake, so its client is built with the token.
   */
  private static Client securedClient(String protocol, int port) {
    if (protocol.equals("socketio")) {
      return dev.ipc.socketio.SocketIoClient.builder()
          .target("127.0.0.1", port)
          .token(TOKEN)
          .build();
    }
    Client client = Transports.connect(protocol + "://127.0.0.1:" + port);
    // The view shares the client's connections; closing the view closes nothing, so keep both.
    Client view = client.withBearerToken(TOKEN);
    return new Client() {
      @Override
      public dev.ipc.core.model.Reply call(
          dev.ipc.core.model.Operation<?, ?, ?> op, Object request) {
        return view.call(op, request);
      }

      @Override
      public void close() {
        client.close();
      }
    };
  }

  private static final String TOKEN = "bench-token";

  /**
   * The reference services on every protocol with bearer authentication and one interceptor, the
   * shape issue 17's benchmark asks for.
   */
  private static Server securedServer(List<String> protocols) {
    Principal reader = Principal.of("bench", "reader");
    AtomicLong seen = new AtomicLong();
    Transports.Builder b =
        Transports.builder()
            .services(Reference.services())
            .authenticate(token -> TOKEN.equals(token) ? reader : null)
            .interceptor(
                (ctx, request, next) -> {
                  seen.incrementAndGet();
                  return next.proceed(request);
                });
    for (String p : protocols) {
      b.transport(p + "://127.0.0.1:0");
    }
    return b.start();
  }

  private static double mean(double[] values) {
    return Arrays.stream(values).average().orElse(0);
  }

  private record Result(double perSecond, double p50, double p99) {}

  private static Result measure(IntConsumer call, double seconds, int threads)
      throws InterruptedException {
    long end = System.nanoTime() + (long) (seconds * 1e9);
    List<long[]> samples = new ArrayList<>();
    AtomicLong errors = new AtomicLong();
    CountDownLatch done = new CountDownLatch(threads);
    long start = System.nanoTime();
    for (int t = 0; t < threads; t++) {
      long[] lat = new long[2_000_000];
      samples.add(lat);
      int offset = t * 1_000_000;
      Thread th =
          new Thread(
              () -> {
                int n = 0;
                try {
                  while (System.nanoTime() < end && n < lat.length - 1) {
                    long s = System.nanoTime();
                    try {
                      call.accept(offset + n);
                    } catch (RuntimeException e) {
                      errors.incrementAndGet();
                    }
                    lat[++n] = System.nanoTime() - s;
                  }
                } finally {
                  lat[0] = n;
                  done.countDown();
                }
              });
      th.setDaemon(true);
      th.start();
    }
    done.await();
    double elapsed = (System.nanoTime() - start) / 1e9;
    int total = 0;
    for (long[] s : samples) {
      total += (int) s[0];
    }
    long[] all = new long[total];
    int k = 0;
    for (long[] s : samples) {
      System.arraycopy(s, 1, all, k, (int) s[0]);
      k += (int) s[0];
    }
    Arrays.sort(all);
    if (errors.get() > 0) {
      System.out.println("  (" + errors.get() + " calls failed)");
    }
    if (total == 0) {
      return new Result(0, 0, 0);
    }
    return new Result(
        total / elapsed, all[(int) (total * 0.50)], all[Math.min(total - 1, (int) (total * 0.99))]);
  }

  private static String cpu() {
    try {
      for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (java.io.IOException e) {
      // Not Linux: leave the model out.
    }
    return "";
  }
}
