package dev.ipc.examples.bench;

import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.Transports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * Live-feed fan-out (issue 19): one publisher, N subscribers per protocol (N = 1, 100, 1,000) to
 * {@code TaskService.watchTasks}, through ipc's Java clients against one ipc server; deliveries per
 * second and delivery latency (the put's start to a subscriber's receipt, on the JVM's one clock:
 * each task's name is the {@link System#nanoTime()} its put started at). gRPC is compared with a
 * hand-written grpc-java server and clients ({@link RawGrpcFanout}), Socket.IO with a Node
 * socket.io 4 server and the same Java Socket.IO clients ({@link NodeFanout}); REST (SSE) and
 * GraphQL report their own figures.
 *
 * <p>The publisher runs a closed loop: one put at a time, each started once the previous one was
 * answered and once the subscribers together have received every delivery but those of the last
 * {@value #WINDOW} puts. So the feed runs as fast as its slowest part allows without queueing
 * without bound: p99 is delivery under full load plus at most that window of waiting, not a backlog
 * that grows with the run's length. Where the queue sits depends on the server: one that answers a
 * put only once it has written it to every subscriber (Node's socket.io) holds the publisher back
 * itself; one that answers at once (ipc) lets the window fill. The server's {@code streamBuffer} is
 * {@value #BUFFER}, far above that window, so nobody should be dropped; drops are reported if any.
 *
 * <p>Each side gets its subscribers, a discarded warm-up round (at least 5 s), then alternating
 * rounds (baseline and ipc, order swapped each round) so that the machine's drift hits both alike;
 * the ratio is per round pair, with its mean and a 95 % interval (Student's t). Where there is a
 * baseline, the same number of paced rounds follows: puts at one fixed rate for both sides (half
 * the slower side's closed-loop rate), for a latency comparison the window does not skew.
 *
 * <p>Run: {@code bench/fanout.sh [seconds-per-round] [rounds] [protocols]}.
 */
public final class FanoutBenchmark {
  private FanoutBenchmark() {}

  /** Puts the publisher may be ahead of the slowest delivery (counted over all subscribers). */
  static final int WINDOW = 8;

  /** The server's per-stream buffer: far above what the window lets pile up. */
  static final int BUFFER = 1 << 16;

  /** Clients the subscribers share (each subscriber has a stream of its own). */
  static final int SHARED = 4;

  /**
   * Socket.IO subscribers per client at most: both sides' Java clients are io.socket's on OkHttp 3,
   * whose dispatcher runs at most 64 calls per {@code OkHttpClient}, and a WebSocket holds its call
   * for its whole life, so a 65th stream on one client never connects.
   */
  static final int SOCKETIO_STREAMS_PER_CLIENT = 50;

  /** How many clients {@code n} subscribers of {@code protocol} share. */
  static int clients(String protocol, int n) {
    int k = SHARED;
    if (protocol.equals("socketio")) {
      k = Math.max(k, (n + SOCKETIO_STREAMS_PER_CLIENT - 1) / SOCKETIO_STREAMS_PER_CLIENT);
    }
    return Math.min(n, k);
  }

  private static final int[] SIZES = {1, 100, 1000};

  /** Student's t at 97.5 % for 1 to 10 degrees of freedom. */
  private static final double[] T975 = {
    12.71, 4.30, 3.18, 2.78, 2.57, 2.45, 2.36, 2.31, 2.26, 2.23
  };

  private record Result(double deliveries, double puts, long p50, long p99, long missing) {}

  private record Row(
      String protocol,
      int n,
      String side,
      double deliveries,
      double puts,
      long p50,
      long p99,
      long dropped,
      long missing) {}

  /**
   * Args: seconds per round (3), rounds (5), the directory of {@code fanout-server.js} ({@code
   * bench/socketio-node}), protocols ({@code grpc,rest,graphql,socketio}), sizes ({@code
   * 1,100,1000}).
   */
  public static void main(String[] args) throws Exception {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    Path nodeDir = Path.of(args.length > 2 ? args[2] : "bench/socketio-node");
    List<String> protocols =
        List.of((args.length > 3 ? args[3] : "grpc,rest,graphql,socketio").split(","));
    int[] sizes =
        args.length > 4
            ? Arrays.stream(args[4].split(",")).mapToInt(Integer::parseInt).toArray()
            : SIZES;
    System.out.printf(
        Locale.ROOT,
        "fan-out: %.1f s per round, %d rounds after a warm-up round, window %d puts, streamBuffer %d,"
            + " %d cores, %s, load %s%n",
        seconds,
        rounds,
        WINDOW,
        BUFFER,
        Runtime.getRuntime().availableProcessors(),
        cpu(),
        load());
    List<Row> rows = new ArrayList<>();
    List<Row> paced = new ArrayList<>();
    List<String> ratios = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    Transports.Builder builder =
        Transports.builder()
            .services(Reference.services())
            .streamBuffer(BUFFER)
            // Nothing runs at the end but a stream a transport failed to end: do not wait 10 s for
            // it.
            .gracePeriod(Duration.ofSeconds(2));
    List<String> served = new ArrayList<>();
    for (String p : protocols) {
      // 1,000 subscribers from one address are past the HTTP transports' default per-peer limit.
      boolean http = p.equals("rest") || p.equals("graphql");
      try {
        builder.transport(p + "://127.0.0.1:0" + (http ? "?maxConnectionsPerPeer=10000" : ""));
        served.add(p);
      } catch (IllegalArgumentException e) {
        // Its module is not on the classpath (did it compile?): measure the others, say so at the
        // end.
        failed.add(p + ": " + e.getMessage());
      }
    }
    try (Server server = builder.start()) {
      for (String protocol : served) {
        List<FanoutSide> sides = new ArrayList<>();
        try {
          if (protocol.equals("grpc")) {
            sides.add(new RawGrpcFanout(BUFFER));
          } else if (protocol.equals("socketio")) {
            sides.add(new NodeFanout(nodeDir));
          }
          sides.add(new IpcFanout(server, protocol));
          for (int n : sizes) {
            try {
              runCase(protocol, n, sides, seconds, rounds, rows, paced, ratios);
            } catch (Exception | Error e) {
              // One size failing (a stream that never opens) leaves the other sizes worth
              // measuring.
              failed.add(protocol + " N=" + n + ": " + e);
              System.out.println(protocol + " N=" + n + ": FAILED, " + e);
              e.printStackTrace(System.out);
            }
          }
        } catch (Exception | Error e) {
          failed.add(protocol + ": " + e);
          System.out.println(protocol + ": FAILED, " + e);
          e.printStackTrace(System.out);
        } finally {
          for (FanoutSide side : sides) {
            try {
              side.close();
            } catch (Exception e) {
              System.out.println(protocol + " " + side.name() + ": close failed, " + e);
            }
          }
        }
      }
    }
    System.out.println();
    System.out.println(
        "| protocol | N | side | deliveries/s | puts/s | p50 us | p99 us | dropped | missing |");
    System.out.println("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (Row r : rows) {
      System.out.printf(
          Locale.ROOT,
          "| %s | %d | %s | %.0f | %.0f | %d | %d | %d | %d |%n",
          r.protocol,
          r.n,
          r.side,
          r.deliveries,
          r.puts,
          r.p50,
          r.p99,
          r.dropped,
          r.missing);
    }
    System.out.println();
    System.out.println(
        "Latency at the same rate for both sides (half the slower side's closed-loop puts/s):");
    System.out.println();
    System.out.println(
        "| protocol | N | side | puts/s | deliveries/s | p50 us | p99 us | dropped | missing |");
    System.out.println("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (Row r : paced) {
      System.out.printf(
          Locale.ROOT,
          "| %s | %d | %s | %.0f | %.0f | %d | %d | %d | %d |%n",
          r.protocol,
          r.n,
          r.side,
          r.puts,
          r.deliveries,
          r.p50,
          r.p99,
          r.dropped,
          r.missing);
    }
    System.out.println();
    ratios.forEach(System.out::println);
    if (!failed.isEmpty()) {
      System.out.println();
      System.out.println("not measured: " + String.join("; ", failed));
    }
    System.out.println("load at the end " + load());
    // Clients' leftover threads (OkHttp, Netty) must not keep the JVM up.
    System.exit(0);
  }

  private static void runCase(
      String protocol,
      int n,
      List<FanoutSide> sides,
      double seconds,
      int rounds,
      List<Row> rows,
      List<Row> paced,
      List<String> ratios)
      throws Exception {
    List<FanoutRecorder> recorders = new ArrayList<>();
    long[] behindBefore = new long[sides.size()];
    try {
      for (int s = 0; s < sides.size(); s++) {
        FanoutSide side = sides.get(s);
        FanoutRecorder recorder = new FanoutRecorder(n);
        recorders.add(recorder);
        long t0 = System.nanoTime();
        side.subscribe(recorder);
        awaitSubscribed(side, recorder);
        System.out.printf(
            Locale.ROOT,
            "%s N=%d %s: %d subscribers receiving after %.1f s %s%n",
            protocol,
            n,
            side.name(),
            n,
            (System.nanoTime() - t0) / 1e9,
            side.connections());
        behindBefore[s] = side.endedBehind();
      }
      for (int s = 0; s < sides.size(); s++) {
        // Warm-up, discarded: at least 5 s, so the JIT has compiled both sides' paths.
        round(sides.get(s), recorders.get(s), Math.max(seconds, 5), 0);
      }
      List<List<Result>> results = new ArrayList<>();
      sides.forEach(side -> results.add(new ArrayList<>()));
      for (int r = 0; r < rounds; r++) {
        for (int k = 0; k < sides.size(); k++) {
          int s = r % 2 == 0 ? k : sides.size() - 1 - k;
          Result res = round(sides.get(s), recorders.get(s), seconds, 0);
          results.get(s).add(res);
          System.out.printf(
              Locale.ROOT,
              "%-8s N=%-4d round %d %-9s %10.0f deliveries/s %8.0f puts/s  p50 %6d us  p99 %7d us%s%n",
              protocol,
              n,
              r + 1,
              sides.get(s).name(),
              res.deliveries,
              res.puts,
              res.p50,
              res.p99,
              res.missing > 0 ? "  (" + res.missing + " not delivered)" : "");
        }
      }
      for (int s = 0; s < sides.size(); s++) {
        List<Result> rs = results.get(s);
        long behind = sides.get(s).endedBehind();
        long dropped = (behind < 0 ? 0 : behind - behindBefore[s]) + recorders.get(s).errors();
        rows.add(
            new Row(
                protocol,
                n,
                sides.get(s).name(),
                median(rs.stream().mapToDouble(Result::deliveries).toArray()),
                median(rs.stream().mapToDouble(Result::puts).toArray()),
                (long) median(rs.stream().mapToDouble(Result::p50).toArray()),
                (long) median(rs.stream().mapToDouble(Result::p99).toArray()),
                dropped,
                rs.stream().mapToLong(Result::missing).sum()));
      }
      if (sides.size() == 2) {
        double[] throughput = new double[rounds];
        double[] p99 = new double[rounds];
        for (int r = 0; r < rounds; r++) {
          Result base = results.get(0).get(r);
          Result ipc = results.get(1).get(r);
          throughput[r] = ipc.deliveries / base.deliveries;
          p99[r] = (double) ipc.p99 / Math.max(1, base.p99);
        }
        String line =
            String.format(
                Locale.ROOT,
                "%s N=%d ipc/%s deliveries/s %s; closed-loop p99 %s",
                protocol,
                n,
                sides.get(0).name(),
                interval(throughput),
                interval(p99));
        ratios.add(line);
        System.out.println(line);
        paced(protocol, n, sides, recorders, results, seconds, rounds, paced, ratios);
      }
    } finally {
      for (FanoutSide side : sides) {
        side.unsubscribe();
      }
    }
  }

  /**
   * Latency at one rate for both sides: in a closed loop each side's queue sits where its server
   * puts it (Node's socket.io answers a put only once written to every subscriber, so its publisher
   * waits; ipc answers at once, so the window fills downstream), which makes closed-loop latencies
   * hard to compare. Here both get puts at half the slower side's closed-loop rate, in alternating
   * rounds.
   */
  private static void paced(
      String protocol,
      int n,
      List<FanoutSide> sides,
      List<FanoutRecorder> recorders,
      List<List<Result>> closedLoop,
      double seconds,
      int rounds,
      List<Row> rows,
      List<String> ratios)
      throws Exception {
    double slower = Double.MAX_VALUE;
    for (List<Result> rs : closedLoop) {
      slower = Math.min(slower, median(rs.stream().mapToDouble(Result::puts).toArray()));
    }
    double rate = slower / 2;
    long interval = (long) (1e9 / rate);
    List<List<Result>> results = new ArrayList<>();
    sides.forEach(side -> results.add(new ArrayList<>()));
    long[] errorsBefore = recorders.stream().mapToLong(FanoutRecorder::errors).toArray();
    long[] behindBefore = sides.stream().mapToLong(FanoutSide::endedBehind).toArray();
    for (int r = 0; r < rounds; r++) {
      for (int k = 0; k < sides.size(); k++) {
        int s = r % 2 == 0 ? k : sides.size() - 1 - k;
        Result res = round(sides.get(s), recorders.get(s), seconds, interval);
        results.get(s).add(res);
        System.out.printf(
            Locale.ROOT,
            "%-8s N=%-4d paced %.0f/s round %d %-9s %10.0f deliveries/s  p50 %6d us  p99 %7d us%s%n",
            protocol,
            n,
            rate,
            r + 1,
            sides.get(s).name(),
            res.deliveries,
            res.p50,
            res.p99,
            res.missing > 0 ? "  (" + res.missing + " not delivered)" : "");
      }
    }
    double[] p99 = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      p99[r] = (double) results.get(1).get(r).p99 / Math.max(1, results.get(0).get(r).p99);
    }
    for (int s = 0; s < sides.size(); s++) {
      List<Result> rs = results.get(s);
      long behind = sides.get(s).endedBehind();
      long dropped =
          (behind < 0 ? 0 : behind - behindBefore[s]) + recorders.get(s).errors() - errorsBefore[s];
      rows.add(
          new Row(
              protocol,
              n,
              sides.get(s).name(),
              median(rs.stream().mapToDouble(Result::deliveries).toArray()),
              median(rs.stream().mapToDouble(Result::puts).toArray()),
              (long) median(rs.stream().mapToDouble(Result::p50).toArray()),
              (long) median(rs.stream().mapToDouble(Result::p99).toArray()),
              dropped,
              rs.stream().mapToLong(Result::missing).sum()));
    }
    String line =
        String.format(
            Locale.ROOT,
            "%s N=%d ipc/%s p99 at %.0f puts/s %s",
            protocol,
            n,
            sides.get(0).name(),
            rate,
            interval(p99));
    ratios.add(line);
    System.out.println(line);
  }

  /**
   * Publishes until every subscriber has received something (a subscription is open on the server
   * only some time after it was asked for), then until the feed is quiet, so no probe counts in a
   * round.
   */
  private static void awaitSubscribed(FanoutSide side, FanoutRecorder recorder) throws Exception {
    long deadline = System.nanoTime() + 120_000_000_000L;
    long probe = 0;
    while (recorder.ready() < recorder.subscribers()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            side.name()
                + ": only "
                + recorder.ready()
                + " of "
                + recorder.subscribers()
                + " subscribers received anything; "
                + recorder.errors()
                + " streams failed"
                + (recorder.firstError() == null ? "" : ", first with " + recorder.firstError()));
      }
      side.put(1_000_000 + probe++ % 16, Long.toString(System.nanoTime()));
      Thread.sleep(20);
    }
    long last = -1;
    while (recorder.delivered() != last) {
      last = recorder.delivered();
      Thread.sleep(300);
    }
  }

  /**
   * One round: puts for {@code seconds}, back to back ({@code interval} 0) or one every {@code
   * interval} ns, then waits for every delivery.
   */
  private static Result round(
      FanoutSide side, FanoutRecorder recorder, double seconds, long interval) throws Exception {
    int n = recorder.subscribers();
    recorder.reset();
    long published = 0;
    long start = System.nanoTime();
    long end = start + (long) (seconds * 1e9);
    while (System.nanoTime() < end) {
      if (published > WINDOW && !recorder.await((published - WINDOW) * n, end)) {
        break;
      }
      long sent = System.nanoTime();
      if (interval > 0) {
        // Paced: latency counts from when the put was due, so a late put's wait counts too.
        long due = start + published * interval;
        while (due - System.nanoTime() > 0) {
          LockSupport.parkNanos(due - System.nanoTime());
        }
        sent = due;
      }
      // Ids cycle over 4,096 tasks so the store stays small; the name carries the send time.
      side.put(1000 + published % 4096, Long.toString(sent));
      published++;
    }
    recorder.await(published * n, System.nanoTime() + 10_000_000_000L);
    long elapsed = System.nanoTime() - start;
    long delivered = recorder.delivered();
    return new Result(
        delivered * 1e9 / elapsed,
        published * 1e9 / elapsed,
        recorder.latencyMicros(0.50),
        recorder.latencyMicros(0.99),
        Math.max(0, published * n - delivered));
  }

  static String interval(double[] values) {
    int k = values.length;
    double mean = Arrays.stream(values).average().orElse(0);
    StringBuilder sb = new StringBuilder("rounds");
    for (double v : values) {
      sb.append(String.format(Locale.ROOT, " %.2f", v));
    }
    sb.append(String.format(Locale.ROOT, ", mean %.2f", mean));
    if (k > 1) {
      double ss = 0;
      for (double v : values) {
        ss += (v - mean) * (v - mean);
      }
      double h = (k - 1 <= T975.length ? T975[k - 2] : 2.0) * Math.sqrt(ss / (k - 1) / k);
      sb.append(String.format(Locale.ROOT, " (95 %% interval %.2f-%.2f)", mean - h, mean + h));
    }
    return sb.toString();
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    int k = v.length;
    return k == 0 ? 0 : k % 2 == 1 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2;
  }

  static String load() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (Exception e) {
      return "?";
    }
  }

  static String cpu() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (Exception e) {
      // Not Linux: leave the model out.
    }
    return "";
  }
}
