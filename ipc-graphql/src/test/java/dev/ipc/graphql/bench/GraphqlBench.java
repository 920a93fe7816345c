package dev.ipc.graphql.bench;

import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.Transports;
import dev.ipc.graphql.BenchSupport;
import dev.ipc.graphql.GraphqlTransport;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Load on GraphQL, same run, loopback only: wrk against ipc-graphql and against the article's Koa
 * server ({@code bench/koa/server.js}), and graphql-java executing the same schema in-process (the
 * ceiling). Prints requests/s, p50, p99 and the ratios as a Markdown table.
 *
 * <p>Arguments: the repository root, seconds per measured run (default 6), wrk connections (default
 * 32).
 */
public final class GraphqlBench {
  private static final String ARTICLE = "{name hobby}";
  private static final String TASKS = "{tasks{id name}}";
  private static final String ARTICLE_ANSWER =
      "{\"data\":{\"name\":\"Rootkit\",\"hobby\":[\"Coding\",\"Badminton\",\"Billiards\",\"Reading\",\"Guitar\"]}}";
  private static final int WARMUP_SECONDS = 3;
  // The JIT needs far longer than node's to reach its steady state, more so on a busy machine: the
  // first
  // run against ipc-graphql warms it for longer (the later runs share the compiled code).
  private static final int JVM_WARMUP_SECONDS = 10;

  private GraphqlBench() {}

  record Row(String target, String query, double rps, double p50Ms, double p99Ms, String note) {}

  public static void main(String[] args) throws Exception {
    Path root = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 6;
    int connections = args.length > 2 ? Integer.parseInt(args[2]) : 32;
    List<Row> rows = new ArrayList<>();

    Process koa = null;
    try (Server server =
        Transports.builder()
            .services(Reference.services())
            .transport(GraphqlTransport.builder().host("127.0.0.1").port(0).build())
            .start()) {
      String ipc = "http://127.0.0.1:" + server.port("graphql") + "/graphql";
      int koaPort = freePort();
      koa =
          new ProcessBuilder(
                  "node", root.resolve("bench/koa/server.js").toString(), String.valueOf(koaPort))
              .redirectErrorStream(true)
              .start();
      awaitListening(koa);
      String koaUrl = "http://127.0.0.1:" + koaPort + "/graphql";
      check(ipc);
      check(koaUrl);

      // Both queries warm up the JVM first: each takes its own resolver path, which the JIT
      // compiles
      // only once it runs (the tasks query measured at 11-17k requests/s after 3 s, more after 10
      // s).
      runWrk(ipc + "?query=%7Bname%20hobby%7D", JVM_WARMUP_SECONDS, connections);
      runWrk(ipc + "?query=%7Btasks%7Bid%20name%7D%7D", JVM_WARMUP_SECONDS, connections);
      rows.add(wrk("ipc-graphql", ipc, ARTICLE, seconds, connections));
      rows.add(wrk("Koa (article)", koaUrl, ARTICLE, seconds, connections));
      rows.add(wrk("ipc-graphql", ipc, TASKS, seconds, connections));
    } finally {
      if (koa != null) {
        koa.destroy();
        koa.waitFor(10, TimeUnit.SECONDS);
      }
    }
    Function<String, Integer> engine = BenchSupport.inProcess();
    rows.add(inProcess(engine, ARTICLE, seconds));
    rows.add(inProcess(engine, TASKS, seconds));

    System.out.println();
    System.out.println("| target | query | requests/s | p50 | p99 | note |");
    System.out.println("| --- | --- | ---: | ---: | ---: | --- |");
    for (Row r : rows) {
      System.out.printf(
          Locale.ROOT,
          "| %s | `%s` | %,.0f | %.3f ms | %.3f ms | %s |%n",
          r.target,
          r.query,
          r.rps,
          r.p50Ms,
          r.p99Ms,
          r.note);
    }
    Row ipcArticle = rows.get(0);
    Row koaArticle = rows.get(1);
    Row ipcTasks = rows.get(2);
    Row inArticle = rows.get(3);
    Row inTasks = rows.get(4);
    System.out.println();
    System.out.printf(
        Locale.ROOT,
        "ipc-graphql / Koa, `%s`: %.2fx requests/s (target >= 2x)%n",
        ARTICLE,
        ipcArticle.rps / koaArticle.rps);
    System.out.printf(
        Locale.ROOT,
        "ipc-graphql / in-process ceiling, `%s`: %.2f%n",
        ARTICLE,
        ipcArticle.rps / inArticle.rps);
    System.out.printf(
        Locale.ROOT,
        "ipc-graphql / in-process ceiling, `%s`: %.2f%n",
        TASKS,
        ipcTasks.rps / inTasks.rps);
    System.out.printf(
        Locale.ROOT,
        "machine: %d cores, %s; wrk -t2 -c%d -d%ds after a %ds warm-up (%ds more per query for the JVM first)%n",
        Runtime.getRuntime().availableProcessors(),
        cpuModel(),
        connections,
        seconds,
        WARMUP_SECONDS,
        JVM_WARMUP_SECONDS);
  }

  /** Waits for server.js to print that it is bound, then drains the rest of its output. */
  private static void awaitListening(Process node) throws Exception {
    var out = node.inputReader(java.nio.charset.StandardCharsets.UTF_8);
    String line;
    while ((line = out.readLine()) != null && !line.contains("listening")) {
      System.err.println("koa: " + line);
    }
    if (line == null) {
      throw new IllegalStateException(
          "the Koa server exited before binding (npm ci in bench/koa?)");
    }
    Thread drain =
        new Thread(
            () -> {
              try {
                out.transferTo(java.io.Writer.nullWriter());
              } catch (IOException e) {
                // The server stopped; nothing left to drain.
              }
            });
    drain.setDaemon(true);
    drain.start();
  }

  private static void check(String url) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    URI uri = URI.create(url + "?query=%7Bname%0Ahobby%7D");
    String body =
        http.send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    if (!body.equals(ARTICLE_ANSWER)) {
      throw new IllegalStateException(url + " answered " + body);
    }
  }

  private static Row wrk(String target, String url, String query, int seconds, int connections)
      throws Exception {
    String full =
        url + "?query=" + query.replace("{", "%7B").replace("}", "%7D").replace(" ", "%20");
    runWrk(full, WARMUP_SECONDS, connections);
    String out = runWrk(full, seconds, connections);
    double rps = number(out, "Requests/sec:\\s+([0-9.]+)");
    double p50 = latency(out, "50%");
    double p99 = latency(out, "99%");
    Matcher non2xx = Pattern.compile("Non-2xx or 3xx responses: (\\d+)").matcher(out);
    Matcher errors = Pattern.compile("Socket errors: (.*)").matcher(out);
    String note = "wrk over HTTP/1.1 keep-alive";
    if (non2xx.find()) {
      note += "; non-2xx: " + non2xx.group(1);
    }
    if (errors.find()) {
      note += "; socket errors: " + errors.group(1);
    }
    System.out.println("--- " + target + " " + query + "\n" + out);
    return new Row(target, query, rps, p50, p99, note);
  }

  private static String runWrk(String url, int seconds, int connections) throws Exception {
    Process p =
        new ProcessBuilder("wrk", "-t2", "-c" + connections, "-d" + seconds + "s", "--latency", url)
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(seconds + 30L, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("wrk failed: " + out);
    }
    return out;
  }

  private static Row inProcess(Function<String, Integer> engine, String query, int seconds)
      throws Exception {
    if (engine.apply(query) != 200) {
      throw new IllegalStateException(query + " failed in-process");
    }
    int threads = Runtime.getRuntime().availableProcessors();
    long warmEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(WARMUP_SECONDS);
    long[][] samples = new long[threads][];
    int[] counts = new int[threads];
    double[] elapsed = new double[threads];
    // A call that stops answering 200 mid-run would otherwise be timed as a success.
    int[] failures = new int[threads];
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      Thread w =
          new Thread(
              () -> {
                while (System.nanoTime() < warmEnd) {
                  if (engine.apply(query) != 200) {
                    failures[id]++;
                  }
                }
                long[] mine = new long[5_000_000];
                int n = 0;
                long start = System.nanoTime();
                long end = start + TimeUnit.SECONDS.toNanos(seconds);
                long now = start;
                while (now < end && n < mine.length) {
                  if (engine.apply(query) != 200) {
                    failures[id]++;
                  }
                  long after = System.nanoTime();
                  mine[n++] = after - now;
                  now = after;
                }
                samples[id] = mine;
                counts[id] = n;
                elapsed[id] = (now - start) / 1e9;
              });
      workers.add(w);
      w.start();
    }
    for (Thread w : workers) {
      w.join();
    }
    int failed = Arrays.stream(failures).sum();
    if (failed > 0) {
      throw new IllegalStateException(
          query + ": " + failed + " in-process calls did not answer 200");
    }
    int total = Arrays.stream(counts).sum();
    long[] all = new long[total];
    int at = 0;
    double rps = 0;
    for (int t = 0; t < threads; t++) {
      System.arraycopy(samples[t], 0, all, at, counts[t]);
      at += counts[t];
      rps += counts[t] / elapsed[t];
    }
    Arrays.sort(all);
    return new Row(
        "graphql-java in-process",
        query,
        rps,
        all[(int) (total * 0.50)] / 1e6,
        all[Math.min(total - 1, (int) (total * 0.99))] / 1e6,
        threads
            + " threads calling the engine directly: same schema, limits and document cache, no HTTP");
  }

  private static double number(String out, String regex) {
    Matcher m = Pattern.compile(regex).matcher(out);
    if (!m.find()) {
      throw new IllegalStateException("no " + regex + " in wrk output:\n" + out);
    }
    return Double.parseDouble(m.group(1));
  }

  private static double latency(String out, String percentile) {
    Matcher m =
        Pattern.compile("\\s" + Pattern.quote(percentile) + "\\s+([0-9.]+)(us|ms|s)").matcher(out);
    if (!m.find()) {
      throw new IllegalStateException("no " + percentile + " latency in wrk output:\n" + out);
    }
    double v = Double.parseDouble(m.group(1));
    return switch (m.group(2)) {
      case "us" -> v / 1000;
      case "ms" -> v;
      default -> v * 1000;
    };
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException e) {
      return "unknown CPU";
    }
    return "unknown CPU";
  }
}
