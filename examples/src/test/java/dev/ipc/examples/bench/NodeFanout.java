package dev.ipc.examples.bench;

import io.socket.client.Ack;
import io.socket.client.IO;
import io.socket.client.Socket;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.json.JSONObject;

/**
 * The Socket.IO baseline of the fan-out benchmark: {@code bench/socketio-node/fanout-server.js}, a
 * Node socket.io 4 server, in a process of its own, with Java Socket.IO clients (io.socket's
 * socket.io-client, which ipc's {@code SocketIoClient} is built on) as subscribers and publisher.
 * Each subscriber is one connection, as each ipc subscriber's stream is; they share as many {@link
 * OkHttpClient}s as the ipc side has {@code SocketIoClient}s ({@link FanoutBenchmark#clients}), as
 * ipc's streams share their client's.
 */
final class NodeFanout implements FanoutSide {
  private final Process node;
  private final URI uri;
  private final Socket publisher;
  private final List<Socket> subscribers = new ArrayList<>();

  NodeFanout(Path nodeDir) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder("node", "fanout-server.js")
            .directory(nodeDir.toFile())
            .redirectErrorStream(true);
    this.node = pb.start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    if (line == null || !line.startsWith("PORT ")) {
      node.destroyForcibly();
      throw new IllegalStateException("node fanout-server.js did not start: " + line);
    }
    this.uri = URI.create("http://127.0.0.1:" + Integer.parseInt(line.substring(5).trim()));
    // Keep reading so a chatty server never blocks on a full pipe.
    Thread drain =
        new Thread(
            () -> {
              try {
                for (String l = out.readLine(); l != null; l = out.readLine()) {
                  System.err.println("node: " + l);
                }
              } catch (IOException e) {
                // The process ended.
              }
            },
            "node-output");
    drain.setDaemon(true);
    drain.start();
    this.publisher = connect(http()).get(30, TimeUnit.SECONDS);
  }

  private static OkHttpClient http() {
    return new OkHttpClient.Builder().readTimeout(0, TimeUnit.MILLISECONDS).build();
  }

  private CompletableFuture<Socket> connect(OkHttpClient http) {
    IO.Options o = new IO.Options();
    o.forceNew = true;
    o.reconnection = false;
    o.transports = new String[] {"websocket"};
    o.callFactory = http;
    o.webSocketFactory = http;
    Socket s = IO.socket(uri, o);
    CompletableFuture<Socket> up = new CompletableFuture<>();
    s.once(Socket.EVENT_CONNECT, a -> up.complete(s));
    s.once(
        Socket.EVENT_CONNECT_ERROR,
        a ->
            up.completeExceptionally(
                new IOException("connect to " + uri + " failed: " + (a.length > 0 ? a[0] : ""))));
    s.connect();
    return up;
  }

  @Override
  public String name() {
    return "node";
  }

  @Override
  public void subscribe(FanoutRecorder recorder) throws Exception {
    int n = recorder.subscribers();
    List<OkHttpClient> https = new ArrayList<>();
    for (int i = 0; i < FanoutBenchmark.clients("socketio", n); i++) {
      https.add(http());
    }
    List<CompletableFuture<Socket>> connecting = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      connecting.add(connect(https.get(i % https.size())));
    }
    List<CompletableFuture<Object>> acked = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int index = i;
      Socket s = connecting.get(i).get(60, TimeUnit.SECONDS);
      subscribers.add(s);
      s.on("task:saved", args -> recorder.onValue(index, ((JSONObject) args[0]).optString("name")));
      CompletableFuture<Object> ack = new CompletableFuture<>();
      acked.add(ack);
      s.emit("task:watchTasks", new Object[] {new JSONObject()}, (Ack) args -> ack.complete(null));
    }
    for (CompletableFuture<Object> ack : acked) {
      ack.get(60, TimeUnit.SECONDS);
    }
  }

  @Override
  public void unsubscribe() {
    for (Socket s : subscribers) {
      s.off();
      s.disconnect();
    }
    subscribers.clear();
  }

  @Override
  public void put(long id, String name) throws Exception {
    JSONObject task = new JSONObject();
    task.put("id", id);
    task.put("name", name);
    CompletableFuture<Object> ack = new CompletableFuture<>();
    publisher.emit("task:put", new Object[] {task}, (Ack) args -> ack.complete(null));
    ack.get(10, TimeUnit.SECONDS);
  }

  @Override
  public long endedBehind() {
    return 0; // socket.io buffers without bound; nobody is ended
  }

  @Override
  public void close() throws Exception {
    unsubscribe();
    publisher.disconnect();
    node.destroy();
    if (!node.waitFor(10, TimeUnit.SECONDS)) {
      node.destroyForcibly();
    }
  }
}
