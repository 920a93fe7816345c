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
 * Socket.IO benchmark, one bounded run on loopback: ack round trips (1 and 100 clients) and broadcast
 * fan-out to 100 clients, against ipc-socketio (compression off, its default, and on) and a Node
 * socket.io 4 server doing the same, all driven by the same Node socket.io-client process
 * ({@code bench/socketio-node/load.js}). Run with {@code bench/socketio.sh}.
 *
 * <p>Each server first gets a discarded 3 s warm-up run with 50 clients. Arguments: the {@code bench/socketio-node} directory, and seconds measured per run (default 3).
 */
public final class SocketIoBench {
  private static final ObjectMapper JSON = new ObjectMapper();
  // Every server gets the same discarded warm-up run first, so the JVM's JIT has compiled the path.
  private static final int WARM_UP_SECONDS = 3;

  private SocketIoBench() {}

  public static void main(String[] args) throws Exception {
    Path nodeDir = Path.of(args.length > 0 ? args[0] : "bench/socketio-node").toAbsolutePath();
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    if (!Files.isDirectory(nodeDir.resolve("node_modules/socket.io"))) {
      throw new IllegalStateException("run `npm ci` in " + nodeDir);
    }
    Map<String, Map<String, JsonNode>> results = new LinkedHashMap<>();

    for (boolean compression : new boolean[] {false, true}) {
      String name = compression ? "ipc-socketio (compression on)" : "ipc-socketio";
      try (Server server = ipc(compression)) {
        String url = "http://127.0.0.1:" + server.port("socketio");
        load(nodeDir, url, "ack", 50, WARM_UP_SECONDS);
        Map<String, JsonNode> r = new LinkedHashMap<>();
        r.put("ack1", load(nodeDir, url, "ack", 1, seconds));
        r.put("ack100", load(nodeDir, url, "ack", 100, seconds));
        if (!compression) {
          r.put("fanout100", load(nodeDir, url, "fanout", 100, seconds));
        }
        results.put(name, r);
      }
    }

    Process node = new ProcessBuilder("node", "server.js").directory(nodeDir.toFile()).redirectErrorStream(true).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8));
      String line = out.readLine();
      if (line == null || !line.startsWith("PORT ")) {
        throw new IllegalStateException("the Node server did not start: " + line);
      }
      String url = "http://127.0.0.1:" + line.substring(5).trim();
      load(nodeDir, url, "ack", 50, WARM_UP_SECONDS);
      Map<String, JsonNode> r = new LinkedHashMap<>();
      r.put("ack1", load(nodeDir, url, "ack", 1, seconds));
      r.put("ack100", load(nodeDir, url, "ack", 100, seconds));
      r.put("fanout100", load(nodeDir, url, "fanout", 100, seconds));
      results.put("node socket.io 4", r);
    } finally {
      node.destroy();
      node.waitFor(5, TimeUnit.SECONDS);
    }

    print(results);
    // netty-socketio's event loops wind down in the background for a few seconds; don't wait.
    System.exit(0);
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

  private static JsonNode load(Path dir, String url, String mode, int clients, int seconds) throws Exception {
    File out = Files.createTempFile("socketio-bench", ".out").toFile();
    out.deleteOnExit();
    Process p =
        new ProcessBuilder("node", "load.js", url, mode, String.valueOf(clients), String.valueOf(seconds))
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(out)
            .start();
    if (!p.waitFor(seconds + 60L, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("load.js " + mode + " " + clients + " did not finish");
    }
    String text = Files.readString(out.toPath(), StandardCharsets.UTF_8);
    for (String line : text.split("\n")) {
      if (line.startsWith("RESULT ")) {
        return JSON.readTree(line.substring(7));
      }
    }
    throw new IllegalStateException("load.js " + mode + " " + clients + " failed:\n" + text);
  }

  private static void print(Map<String, Map<String, JsonNode>> results) {
    Map<String, JsonNode> node = results.get("node socket.io 4");
    List<String> lines = new ArrayList<>();
    lines.add("| server | test | calls/s | p50 ms | p99 ms | calls/s vs Node |");
    lines.add("| --- | --- | ---: | ---: | ---: | ---: |");
    for (Map.Entry<String, Map<String, JsonNode>> e : results.entrySet()) {
      for (String test : List.of("ack1", "ack100")) {
        JsonNode r = e.getValue().get(test);
        if (r == null) {
          continue;
        }
        double ratio = r.get("callsPerSecond").asDouble() / node.get(test).get("callsPerSecond").asDouble();
        lines.add(
            String.format(
                Locale.ROOT,
                "| %s | ack, %s | %.0f | %.2f | %.2f | %.2fx |",
                e.getKey(),
                test.equals("ack1") ? "1 client" : "100 clients",
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
    lines.add("| server | broadcast to 100 clients | rounds | delivery p50 ms | delivery p99 ms | last delivery p50 ms | last delivery p99 ms |");
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
    lines.forEach(System.out::println);
  }
}
