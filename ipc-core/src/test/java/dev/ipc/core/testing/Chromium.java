package dev.ipc.core.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real headless Chromium (Debian's {@code /usr/bin/chromium}) driven over the Chrome DevTools
 * Protocol with the JDK's own HTTP and WebSocket clients: no driver download, no extra dependency.
 * Tests using it are {@link Interop}: skipped by a plain {@code mvn verify}, and with {@code
 * -Pinterop} they fail, never skip, when Chromium is missing.
 */
public final class Chromium implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");
  private static final long TIMEOUT_SECONDS = 30;

  private final ObjectMapper json = new ObjectMapper();
  private final Path profile;
  private final Process process;
  private final HttpClient http = HttpClient.newHttpClient();
  private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final Map<String, CompletableFuture<JsonNode>> awaitedEvents = new ConcurrentHashMap<>();
  private final AtomicInteger ids = new AtomicInteger();
  private final StringBuilder log = new StringBuilder();
  private final List<String> requested = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final List<String> console = new java.util.concurrent.CopyOnWriteArrayList<>();
  private WebSocket socket;

  public Chromium() throws Exception {
    this(List.of());
  }

  /** Starts Chromium with {@code flags} added to the usual ones. */
  public Chromium(List<String> flags) throws Exception {
    profile = Files.createTempDirectory("ipc-chromium-");
    List<String> command =
        new java.util.ArrayList<>(
            List.of(
                "/usr/bin/chromium",
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--window-size=1280,800",
                "--remote-debugging-port=0",
                "--user-data-dir=" + profile));
    command.addAll(flags);
    command.add("about:blank");
    process = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      CompletableFuture<String> browserUrl = new CompletableFuture<>();
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                  String line;
                  while ((line = r.readLine()) != null) {
                    synchronized (log) {
                      log.append(line).append('\n');
                    }
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                      browserUrl.complete(m.group(1));
                    }
                  }
                } catch (IOException e) {
                  browserUrl.completeExceptionally(e);
                }
                browserUrl.completeExceptionally(
                    new IllegalStateException("chromium exited:\n" + log()));
              },
              "chromium-output");
      reader.setDaemon(true);
      reader.start();
      URI browser = URI.create(browserUrl.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
      URI list = URI.create("http://" + browser.getAuthority() + "/json/list");
      JsonNode targets =
          json.readTree(
              http.send(HttpRequest.newBuilder(list).build(), HttpResponse.BodyHandlers.ofString())
                  .body());
      String page = null;
      for (JsonNode t : targets) {
        if (t.path("type").asText().equals("page")) {
          page = t.path("webSocketDebuggerUrl").asText();
        }
      }
      if (page == null) {
        throw new IllegalStateException("no page target in " + targets);
      }
      socket =
          http.newWebSocketBuilder()
              .buildAsync(URI.create(page), new Listener())
              .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      close();
      throw e;
    }
  }

  public String log() {
    synchronized (log) {
      return log.toString();
    }
  }

  /** Returns the URL of every request the page made since {@link #open}. */
  public List<String> requested() {
    return List.copyOf(requested);
  }

  /**
   * Returns what the page's console and the browser's log said since this Chromium started (level,
   * then text): errors, warnings, Content-Security-Policy reports, uncaught exceptions.
   */
  public List<String> console() {
    return List.copyOf(console);
  }

  /**
   * Returns the Content-Security-Policy violations the current page reported, as {@code "directive
   * blocked-uri"} strings (recorded by a listener installed before any page script).
   */
  public List<String> cspViolations() throws Exception {
    JsonNode v = evaluate("JSON.stringify(window.__cspViolations || [])");
    List<String> out = new java.util.ArrayList<>();
    for (JsonNode n : json.readTree(v.asText())) {
      out.add(n.asText());
    }
    return out;
  }

  /** Opens {@code url} and returns once its load event fired. */
  public void open(String url) throws Exception {
    send("Page.enable", Map.of());
    send("Network.enable", Map.of());
    send("Log.enable", Map.of());
    send("Runtime.enable", Map.of());
    // Injected by the DevTools protocol, so the page's own CSP does not apply to it.
    send(
        "Page.addScriptToEvaluateOnNewDocument",
        Map.of(
            "source",
            "window.__cspViolations = [];"
                + "document.addEventListener('securitypolicyviolation', e =>"
                + " window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));"));
    CompletableFuture<JsonNode> loaded = new CompletableFuture<>();
    awaitedEvents.put("Page.loadEventFired", loaded);
    send("Page.navigate", Map.of("url", url));
    loaded.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  /**
   * Evaluates {@code expression} in the page, awaiting it if it is a promise; returns its JSON
   * value.
   */
  public JsonNode evaluate(String expression) throws Exception {
    JsonNode r =
        send(
            "Runtime.evaluate",
            Map.of("expression", expression, "awaitPromise", true, "returnByValue", true));
    if (r.has("exceptionDetails")) {
      throw new AssertionError("page script failed: " + r.get("exceptionDetails"));
    }
    return r.path("result").path("value");
  }

  /** Returns a PNG of the page. */
  public byte[] screenshot() throws Exception {
    return java.util.Base64.getDecoder()
        .decode(send("Page.captureScreenshot", Map.of()).path("data").asText());
  }

  private JsonNode send(String method, Map<String, Object> params) throws Exception {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonNode> answer = new CompletableFuture<>();
    pending.put(id, answer);
    Map<String, Object> message = new LinkedHashMap<>();
    message.put("id", id);
    message.put("method", method);
    message.put("params", params);
    socket.sendText(json.writeValueAsString(message), true).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    JsonNode reply = answer.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    if (reply.has("error")) {
      throw new IllegalStateException(method + " failed: " + reply.get("error"));
    }
    return reply.path("result");
  }

  @Override
  public void close() {
    if (socket != null) {
      socket.abort();
    }
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try (Stream<Path> files = Files.walk(profile)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // Chromium may still be writing its profile as it exits; the temp dir is disposable.
    }
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        try {
          JsonNode message = json.readTree(text);
          if (message.has("id")) {
            CompletableFuture<JsonNode> f = pending.remove(message.get("id").asInt());
            if (f != null) {
              f.complete(message);
            }
          } else if (message.has("method")) {
            String method = message.get("method").asText();
            if (method.equals("Network.requestWillBeSent")) {
              requested.add(message.path("params").path("request").path("url").asText());
            } else if (method.equals("Log.entryAdded")) {
              JsonNode entry = message.path("params").path("entry");
              console.add(entry.path("level").asText() + ": " + entry.path("text").asText());
            } else if (method.equals("Runtime.consoleAPICalled")) {
              JsonNode p = message.path("params");
              console.add(p.path("type").asText() + ": " + p.path("args").toString());
            } else if (method.equals("Runtime.exceptionThrown")) {
              console.add(
                  "exception: " + message.path("params").path("exceptionDetails").toString());
            }
            CompletableFuture<JsonNode> f = awaitedEvents.remove(message.get("method").asText());
            if (f != null) {
              f.complete(message.path("params"));
            }
          }
        } catch (IOException e) {
          pending.values().forEach(f -> f.completeExceptionally(e));
        }
      }
      ws.request(1);
      return null;
    }
  }
}
