package dev.ipc.socketio.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.Transports;
import dev.ipc.socketio.SocketIoTransport;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Socket.IO benchmark on loopback: ack round trips (1 and 100 clients) and broadcast fan-out to 100
 * clients, against ipc-socketio (compression off, its default, and on) and a Node socket.io 4
 * server doing the same, all driven by the same Node socket.io-client process ({@code
 * bench/socketio-node/load.js}). Run with {@code bench/socketio.sh}.
 *
 * <p>All three servers run at once and every test is measured in alternating rounds (ipc, ipc with
 * compression, Node, ipc, ...), reporting each server's median round: on a small machine the load
 * from everything else drifts over minutes, and alternating makes that drift hit every server
 * alike. Each server first gets the same discarded warm-up: ack calls from 50 clients for the
 * warm-up time, then a 10 s fan-out. Arguments: the {@code bench/socketio-node} directory, seconds
 * measured per round (default 3), seconds of warm-up (default 20: on 2 cores shared with the load
 * client the JVM's JIT needs 15-20 s under this load to reach its steady state; after 3 s,
 * ipc-socketio ran at about half its steady throughput), and rounds (default 5).
 */
public final class SocketIoBench {
  private static final ObjectMapper JSON = new ObjectMapper();
  // 10 s: ipc-socketio's fan-out rounds were still rising through the first 12 s of fan-out load
  // (684, 771, 943, 949 in successive 3 s rounds, steady at 880-1020 after), so 3 s measured its
  // warm-up.
  private static final int FANOUT_WARM_UP_SECONDS = 10;
  private static final String NODE = "node socket.io 4";

  private SocketIoBench() {}

  public static void main(String[] args) throws Exception {
    Path nodeDir = Path.of(args.length > 0 ? args[0] : "bench/socketio-node").toAbsolutePath();
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    int warmUp = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 5;
    if (!Files.isDirectory(nodeDir.resolve("node_modules/socket.io"))) {
      throw new IllegalStateException("run `npm ci` in " + nodeDir);
    }
    Process node =
        new ProcessBuilder("node", "server.js")
            .directory(nodeDir.toFile())
            .redirectErrorStream(true)
            .start();
    try (Server plain = ipc(false);
        Server compressed = ipc(true)) {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8));
      String line = out.readLine();
      if (line == null || !line.startsWith("PORT ")) {
        throw new IllegalStateException("the Node server did not start: " + line);
      }
      Map<String, String> urls = new LinkedHashMap<>();
      urls.put("ipc-socketio", "http://127.0.0.1:" + plain.port("socketio"));
      urls.put("ipc-socketio (compression on)", "http://127.0.0.1:" + compressed.port("socketio"));
      urls.put(NODE, "http://127.0.0.1:" + line.substring(5).trim());
      for (String url : urls.values()) {
        warmUp(nodeDir, url, warmUp);
      }
      Map<String, Map<String, JsonNode>> results = new LinkedHashMap<>();
      Map<String, List<Double>> ratios = new LinkedHashMap<>();
      for (String name : urls.keySet()) {
        results.put(name, new LinkedHashMap<>());
      }
      measure(nodeDir, urls, results, ratios, "ack1", "ack", 1, seconds, rounds, "callsPerSecond");
      measure(
          nodeDir, urls, results, ratios, "ack100", "ack", 100, seconds, rounds, "callsPerSecond");
      // Compression does not change a broadcast's path; its fan-out is left out to keep the run
      // short.
      Map<String, String> fanout = new LinkedHashMap<>(urls);
      fanout.remove("ipc-socketio (compression on)");
      // The same 100 clients from two client processes: one Node process is busy 93-100 % of the
      // time
      // in the test above, so that test measures the client as much as the server.
      measure(
          nodeDir,
          fanout,
          results,
          ratios,
          "ack100x2",
          "ack",
          100,
          seconds,
          rounds,
          "callsPerSecond");
      measure(
          nodeDir, fanout, results, ratios, "fanout100", "fanout", 100, seconds, rounds, "rounds");
      print(results, ratios, seconds, warmUp, rounds);
    } finally {
      node.destroy();
      node.waitFor(5, TimeUnit.SECONDS);
    }
    // netty-socketio's event loops wind down in the background for a few seconds; don't wait.
    System.exit(0);
  }

  /**
   * Runs {@code rounds} alternating rounds of one test and keeps each server's median round, and
   * each round's ipc-socketio / Node ratio in {@code ratios}.
   */
  private static void measure(
      Path nodeDir,
      Map<String, String> urls,
      Map<String, Map<String, JsonNode>> results,
      Map<String, List<Double>> ratios,
      String test,
      String mode,
      int clients,
      int seconds,
      int rounds,
      String rankBy)
      throws Exception {
    Map<String, List<JsonNode>> runs = new LinkedHashMap<>();
    for (int i = 0; i < rounds; i++) {
      for (Map.Entry<String, String> e : urls.entrySet()) {
        JsonNode r =
            test.endsWith("x2")
                ? loadSplit(nodeDir, e.getValue(), mode, clients, seconds)
                : load(nodeDir, e.getValue(), mode, clients, seconds);
        runs.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(r);
      }
    }
    List<Double> perRound = new ArrayList<>();
    for (int i = 0; i < rounds; i++) {
      perRound.add(
          runs.get("ipc-socketio").get(i).get(rankBy).asDouble()
              / runs.get(NODE).get(i).get(rankBy).asDouble());
    }
    ratios.put(test, perRound);
    for (Map.Entry<String, List<JsonNode>> e : runs.entrySet()) {
      List<JsonNode> sorted = new ArrayList<>(e.getValue());
      sorted.sort(java.util.Comparator.comparingDouble(r -> r.get(rankBy).asDouble()));
      results.get(e.getKey()).put(test, sorted.get(sorted.size() / 2));
    }
  }

  /** The same discarded warm-up for every server, so each is measured in its steady state. */
  private static void warmUp(Path nodeDir, String url, int seconds) throws Exception {
    load(nodeDir, url, "ack", 50, seconds);
    load(nodeDir, url, "fanout", 100, FANOUT_WARM_UP_SECONDS);
  }

  private static Server ipc(boolean compression) {
    SocketIoTransport transport =
        SocketIoTransport.builder()
            .host("127.0.0.1")
            .port(0)
            .compression(compression)
            .on("bench:broadcast", (session, data, ack) -> session.broadcast("bench:tick", data))
            .build();
    return Transports.builder().services(Reference.services()).transport(transport).start();
  }

  /**
   * Runs {@code clients} split over two load.js processes at once: calls/s and errors summed, p50
   * the mean of the two, p99 the larger.
   */
  private static JsonNode loadSplit(Path dir, String url, String mode, int clients, int seconds)
      throws Exception {
    java.util.concurrent.CompletableFuture<JsonNode> other =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> {
              try {
                return load(dir, url, mode, clients / 2, seconds);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    JsonNode a = load(dir, url, mode, clients - clients / 2, seconds);
    JsonNode b = other.get();
    com.fasterxml.jackson.databind.node.ObjectNode sum = JSON.createObjectNode();
    sum.put(
        "callsPerSecond", a.get("callsPerSecond").asDouble() + b.get("callsPerSecond").asDouble());
    sum.put("p50", (a.get("p50").asDouble() + b.get("p50").asDouble()) / 2);
    sum.put("p99", Math.max(a.get("p99").asDouble(), b.get("p99").asDouble()));
    sum.put("errors", a.get("errors").asInt() + b.get("errors").asInt());
    return sum;
  }

  private static JsonNode load(Path dir, String url, String mode, int clients, int seconds)
      throws Exception {
    File out = Files.createTempFile("socketio-bench", ".out").toFile();
    out.deleteOnExit();
    Process p =
        new ProcessBuilder(
                "node", "load.js", url, mode, String.valueOf(clients), String.valueOf(seconds))
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(out)
            .start();
    if (!p.waitFor(seconds + 60L, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("load.js " + mode + " " + clients + " did not finish");
    }
    String text = Files.readString(out.toPath(), StandardCharsets.UTF_8);
    for (String line : text.lines().toList()) {
      if (line.startsWith("RESULT ")) {
        return JSON.readTree(line.substring(7));
      }
    }
    throw new IllegalStateException("load.js " + mode + " " + clients + " failed:\n" + text);
  }

  private static void print(
      Map<String, Map<String, JsonNode>> results,
      Map<String, List<Double>> ratios,
      int seconds,
      int warmUp,
      int rounds) {
    Map<String, JsonNode> node = results.get(NODE);
    List<String> lines = new ArrayList<>();
    lines.add(
        String.format(
            Locale.ROOT,
            "%d s rounds, median of %d alternating rounds per server, after %d s of warm-up each; %d CPUs",
            seconds,
            rounds,
            warmUp,
            Runtime.getRuntime().availableProcessors()));
    lines.add("");
    lines.add("| server | test | calls/s | p50 ms | p99 ms | calls/s vs Node |");
    lines.add("| --- | --- | ---: | ---: | ---: | ---: |");
    for (Map.Entry<String, Map<String, JsonNode>> e : results.entrySet()) {
      for (String test : List.of("ack1", "ack100", "ack100x2")) {
        JsonNode r = e.getValue().get(test);
        if (r == null) {
          continue;
        }
        double ratio =
            r.get("callsPerSecond").asDouble() / node.get(test).get("callsPerSecond").asDouble();
        lines.add(
            String.format(
                Locale.ROOT,
                "| %s | ack, %s | %.0f | %.2f | %.2f | %.2fx |",
                e.getKey(),
                test.equals("ack1")
                    ? "1 client"
                    : test.equals("ack100") ? "100 clients" : "100 clients, 2 client processes",
                r.get("callsPerSecond").asDouble(),
                r.get("p50").asDouble(),
                r.get("p99").asDouble(),
                ratio));
        if (r.get("errors").asInt() != 0) {
          lines.add("|  | errors: " + r.get("errors").asInt() + " | | | | |");
        }
      }
    }
    lines.add("");
    lines.add(
        "| server | broadcast to 100 clients | rounds | delivery p50 ms | delivery p99 ms | last delivery p50 ms | last delivery p99 ms |");
    lines.add("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
    for (Map.Entry<String, Map<String, JsonNode>> e : results.entrySet()) {
      JsonNode r = e.getValue().get("fanout100");
      if (r == null) {
        continue;
      }
      lines.add(
          String.format(
              Locale.ROOT,
              "| %s | fan-out | %d | %.2f | %.2f | %.2f | %.2f |",
              e.getKey(),
              r.get("rounds").asInt(),
              r.get("p50").asDouble(),
              r.get("p99").asDouble(),
              r.get("lastP50").asDouble(),
              r.get("lastP99").asDouble()));
    }
    lines.add("");
    // A single run's medians swing by 0.1-0.2x on 2 shared cores; the rounds' mean and its interval
    // say how much one run can be trusted.
    lines.add("ipc-socketio / Node per round (mean, 95 % interval, Student's t):");
    for (Map.Entry<String, List<Double>> e : ratios.entrySet()) {
      List<Double> r = e.getValue();
      double mean = r.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
      double ss = r.stream().mapToDouble(x -> (x - mean) * (x - mean)).sum();
      double[] t = {12.71, 4.30, 3.18, 2.78, 2.57, 2.45, 2.36, 2.31, 2.26, 2.23};
      int n = r.size();
      double half =
          n > 1 ? (n - 1 <= t.length ? t[n - 2] : 2.0) * Math.sqrt(ss / (n - 1) / n) : Double.NaN;
      StringBuilder line = new StringBuilder("- " + e.getKey() + ":");
      for (double x : r) {
        line.append(String.format(Locale.ROOT, " %.2f", x));
      }
      line.append(
          String.format(Locale.ROOT, " (mean %.2f, %.2f-%.2f)", mean, mean - half, mean + half));
      lines.add(line.toString());
    }
    lines.forEach(System.out::println);
  }
}
