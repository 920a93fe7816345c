package dev.ipc.examples.bench;

import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.Transports;
import dev.ipc.redis.RedisBus;
import dev.ipc.redis.testing.RedisProcess;
import dev.ipc.socketio.SocketIoClient;
import dev.ipc.socketio.SocketIoTransport;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Cross-node broadcast (issue 22), run by {@code bench/cluster.sh}: two ipc nodes on one Redis
 * ({@link RedisBus}) against two Node socket.io 4 servers with {@code @socket.io/redis-adapter} on
 * another (bench/cluster-node/server.js), in alternating rounds. On each side, 100 Socket.IO
 * clients (ipc's Java client, the same on both sides) listen for {@code message}, half on each
 * node; a publisher on the first node emits {@code bcast}, which its server broadcasts to every
 * client of every node. {@link #WINDOW} publishers each wait for their broadcast to reach all 100
 * clients before the next, so the figure is deliveries per second with a bounded number of
 * broadcasts in flight, and a broadcast that never arrives everywhere shows as a stall, not as
 * speed.
 *
 * <p>Both sides run on this machine: the ipc nodes in this JVM, the Node servers as two processes.
 * Prints each round, then each side's mean and the ratio ipc/Node with a 95 % interval.
 */
public final class ClusterBenchmark {
  static final int CLIENTS = 100;
  static final int WINDOW = 8;

  private ClusterBenchmark() {}

  /** A cluster of two nodes and its clients. */
  private interface Side extends AutoCloseable {
    String name();

    int port(int node);
  }

  public static void main(String[] args) throws Exception {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    Path nodeDir = Path.of(args.length > 2 ? args[2] : "bench/cluster-node");
    System.out.printf(
        Locale.ROOT,
        "cluster broadcast: %d clients over 2 nodes, window %d, %d rounds of %.1f s; cpu %s; load %s%n",
        CLIENTS,
        WINDOW,
        rounds,
        seconds,
        FanoutBenchmark.cpu(),
        FanoutBenchmark.load());
    try (RedisProcess ipcRedis = new RedisProcess();
        RedisProcess nodeRedis = new RedisProcess();
        Side ipc = ipcSide(ipcRedis.uri());
        Side node = nodeSide(nodeRedis.uri(), nodeDir)) {
      List<Side> sides = List.of(ipc, node);
      List<Bench> benches = new ArrayList<>();
      for (Side s : sides) {
        benches.add(new Bench(s));
      }
      // Warm-up: the JIT on our side, Node's on theirs.
      for (Bench b : benches) {
        b.round(Math.max(1, seconds / 2));
      }
      double[][] rates = new double[2][rounds];
      double[] ratio = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        // Alternate which side goes first, so a slow phase of the machine hurts both alike.
        for (int i = 0; i < 2; i++) {
          int s = (r % 2 == 0) ? i : 1 - i;
          rates[s][r] = benches.get(s).round(seconds);
        }
        ratio[r] = rates[0][r] / rates[1][r];
        System.out.printf(
            Locale.ROOT,
            "round %d: ipc %.0f deliveries/s, node %.0f deliveries/s, ratio %.2f%n",
            r + 1,
            rates[0][r],
            rates[1][r],
            ratio[r]);
      }
      for (Bench b : benches) {
        b.close();
      }
      System.out.println();
      System.out.println("| side | deliveries/s |");
      System.out.println("|---|---|");
      System.out.println(
          "| ipc (2 nodes, RedisBus) | " + FanoutBenchmark.interval(rates[0]) + " |");
      System.out.println(
          "| Node socket.io + redis-adapter (2 nodes) | "
              + FanoutBenchmark.interval(rates[1])
              + " |");
      System.out.println("| ratio ipc/Node | " + FanoutBenchmark.interval(ratio) + " |");
      System.out.println("load after: " + FanoutBenchmark.load());
    }
  }

  /** Two ipc servers in this JVM, each with its own RedisBus, as two processes would have. */
  private static Side ipcSide(String redis) {
    List<Server> servers = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      servers.add(
          Transports.builder()
              .services(Reference.services())
              .transport(
                  SocketIoTransport.builder()
                      .host("127.0.0.1")
                      .port(0)
                      .on(
                          "bcast",
                          (session, data, ack) -> {
                            session.broadcast("message", data);
                            ack.send(Map.of());
                          })
                      .build())
              .bus(RedisBus.of(redis))
              .gracePeriod(Duration.ofSeconds(2))
              .start());
    }
    return new Side() {
      @Override
      public String name() {
        return "ipc";
      }

      @Override
      public int port(int node) {
        return servers.get(node).port("socketio");
      }

      @Override
      public void close() {
        servers.forEach(Server::close);
      }
    };
  }

  /** Two Node servers with the Redis adapter, each its own process. */
  private static Side nodeSide(String redis, Path dir) throws Exception {
    List<Process> processes = new ArrayList<>();
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Process p =
          new ProcessBuilder("node", dir.resolve("server.js").toString(), redis)
              .redirectErrorStream(true)
              .start();
      processes.add(p);
      BufferedReader out =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String line;
      while ((line = out.readLine()) != null && !line.startsWith("PORT ")) {
        System.out.println("node: " + line);
      }
      if (line == null) {
        throw new IllegalStateException("the Node cluster server did not start (see above)");
      }
      ports.add(Integer.parseInt(line.substring(5).trim()));
      // Keep reading, so a full pipe never blocks the server.
      Thread drain =
          new Thread(
              () -> {
                try {
                  while (out.readLine() != null) {
                    // discard
                  }
                } catch (Exception e) {
                  // The process ended.
                }
              });
      drain.setDaemon(true);
      drain.start();
    }
    return new Side() {
      @Override
      public String name() {
        return "node";
      }

      @Override
      public int port(int node) {
        return ports.get(node);
      }

      @Override
      public void close() throws Exception {
        for (Process p : processes) {
          p.destroy();
          p.waitFor(5, TimeUnit.SECONDS);
        }
      }
    };
  }

  /** The clients of one side, kept across rounds. */
  private static final class Bench implements AutoCloseable {
    private final List<SocketIoClient> listeners = new ArrayList<>();
    private final List<SocketIoClient> publishers = new ArrayList<>();
    private final Map<Long, CountDownLatch> pending = new ConcurrentHashMap<>();
    private final LongAdder delivered = new LongAdder();
    private final AtomicLong seq = new AtomicLong();

    Bench(Side side) throws Exception {
      for (int i = 0; i < CLIENTS; i++) {
        SocketIoClient c =
            SocketIoClient.builder()
                .target("127.0.0.1", side.port(i % 2))
                .transports("websocket")
                .timeout(Duration.ofSeconds(20))
                .build();
        c.onEvent(
            "message",
            data -> {
              if (data instanceof Map<?, ?> m && m.get("seq") instanceof Number n) {
                CountDownLatch l = pending.get(n.longValue());
                if (l != null) {
                  l.countDown();
                }
                delivered.increment();
              }
            });
        // A round trip proves the connection is up before the first broadcast.
        c.emitWithAck("bcast", Map.of("seq", -1));
        listeners.add(c);
      }
      for (int i = 0; i < WINDOW; i++) {
        publishers.add(
            SocketIoClient.builder()
                .target("127.0.0.1", side.port(0))
                .transports("websocket")
                .timeout(Duration.ofSeconds(20))
                .build());
      }
    }

    /** Broadcasts for {@code seconds}; returns deliveries per second to the 100 listeners. */
    double round(double seconds) throws Exception {
      AtomicBoolean stop = new AtomicBoolean();
      LongAdder complete = new LongAdder();
      List<Thread> threads = new ArrayList<>();
      long start = System.nanoTime();
      for (SocketIoClient p : publishers) {
        Thread t =
            new Thread(
                () -> {
                  while (!stop.get()) {
                    long k = seq.incrementAndGet();
                    CountDownLatch all = new CountDownLatch(CLIENTS);
                    pending.put(k, all);
                    p.emitWithAck("bcast", Map.of("seq", k, "text", "messagetest"));
                    try {
                      if (!all.await(20, TimeUnit.SECONDS)) {
                        throw new IllegalStateException(
                            "broadcast "
                                + k
                                + " reached "
                                + (CLIENTS - all.getCount())
                                + " of "
                                + CLIENTS
                                + " clients");
                      }
                    } catch (InterruptedException e) {
                      return;
                    } finally {
                      pending.remove(k);
                    }
                    complete.increment();
                  }
                });
        threads.add(t);
        t.start();
      }
      Thread.sleep((long) (seconds * 1000));
      stop.set(true);
      for (Thread t : threads) {
        t.join(30_000);
      }
      double elapsed = (System.nanoTime() - start) / 1e9;
      return complete.sum() * (double) CLIENTS / elapsed;
    }

    @Override
    public void close() {
      listeners.forEach(SocketIoClient::close);
      publishers.forEach(SocketIoClient::close);
    }
  }
}
