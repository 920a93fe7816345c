package dev.ipc.socketio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.Transports;
import io.netty.util.concurrent.FastThreadLocalThread;
import io.socket.client.IO;
import io.socket.client.Socket;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How a session ends for the host's listeners, over long-polling and over WebSocket: when the
 * server closes gracefully, and when a client goes silent and its ping timeout ends the session.
 * Either way the disconnect listener runs once, after the connect listener, on the call executor.
 */
@Timeout(60)
class SocketIoSessionEndTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private final List<AutoCloseable> cleanup = new ArrayList<>();

  /** Per session id, what its listeners saw, in the order they saw it. */
  private final Map<String, List<String>> events = new ConcurrentHashMap<>();

  private final List<Thread> listenerThreads = Collections.synchronizedList(new ArrayList<>());
  private final LinkedBlockingQueue<String> connected = new LinkedBlockingQueue<>();
  private final LinkedBlockingQueue<String> disconnected = new LinkedBlockingQueue<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = cleanup.size() - 1; i >= 0; i--) {
      cleanup.get(i).close();
    }
  }

  private void record(SocketIoSession session, String event) {
    listenerThreads.add(Thread.currentThread());
    events
        .computeIfAbsent(session.id(), k -> Collections.synchronizedList(new ArrayList<>()))
        .add(event);
  }

  private List<String> eventsOf(String id) {
    List<String> list = events.getOrDefault(id, List.of());
    synchronized (list) {
      return List.copyOf(list);
    }
  }

  /**
   * Starts a server whose listeners record into {@link #events}, on a pool of named call threads.
   */
  private Server start(SocketIoTransport.Builder transport) {
    AtomicInteger threads = new AtomicInteger();
    ExecutorService executor =
        Executors.newCachedThreadPool(
            r -> new Thread(r, "listener-pool-" + threads.incrementAndGet()));
    Server server =
        Transports.builder()
            .services(Reference.services())
            .executor(executor)
            .transport(
                transport
                    .host("127.0.0.1")
                    .port(0)
                    .onConnect(
                        s -> {
                          record(s, "connect");
                          connected.add(s.id());
                        })
                    .onDisconnect(
                        s -> {
                          record(s, "disconnect");
                          disconnected.add(s.id());
                        })
                    .build())
            .start();
    cleanup.add(server);
    return server;
  }

  private void assertListenersRanOnTheCallExecutor() {
    assertThat(listenerThreads)
        .isNotEmpty()
        .allSatisfy(
            t -> {
              assertThat(t).isNotInstanceOf(FastThreadLocalThread.class);
              assertThat(t.getName()).startsWith("listener-pool-");
            });
  }

  @Test
  void serverClose_pollingSession_disconnectListenerRunsOnceBeforeCloseReturns() throws Exception {
    Server server = start(SocketIoTransport.builder());
    OkHttpClient okHttp = new OkHttpClient.Builder().readTimeout(0, TimeUnit.MILLISECONDS).build();
    cleanup.add(
        () -> {
          okHttp.dispatcher().executorService().shutdown();
          okHttp.connectionPool().evictAll();
        });
    IO.Options options = new IO.Options();
    options.forceNew = true;
    options.reconnection = false;
    options.transports = new String[] {"polling"};
    options.callFactory = okHttp;
    options.webSocketFactory = okHttp;
    Socket socket = IO.socket(URI.create("http://127.0.0.1:" + server.port("socketio")), options);
    cleanup.add(socket::close);
    socket.connect();
    String id = connected.poll(10, TimeUnit.SECONDS);
    assertThat(id).isNotNull();

    server.close();

    assertThat(eventsOf(id))
        .as("the disconnect listener has run by the close's end")
        .containsExactly("connect", "disconnect");
    assertThat(disconnected).containsExactly(id);
    assertListenersRanOnTheCallExecutor();
    // Not asserted: whether the client reads the disconnect packet. Sent to a poll that waits, it
    // does; between two polls the session is gone before the next one comes (answered with an
    // error).
  }

  @Test
  void serverClose_webSocketSession_disconnectListenerRunsOnceBeforeCloseReturns()
      throws Exception {
    Server server = start(SocketIoTransport.builder());
    // A plain-socket client: the JDK's WebSocket client, given a frame and the connection's end
    // together, now and then fails inside (an InternalError in TransportImpl.acknowledgeReception,
    // about 1 run in 300) and never hands the frame over.
    DirectWritesTest.TcpWebSocket ws =
        DirectWritesTest.TcpWebSocket.connect(server.port("socketio"), 0);
    cleanup.add(ws);
    String id = connected.poll(10, TimeUnit.SECONDS);
    assertThat(id).isNotNull();

    server.close();

    assertThat(eventsOf(id))
        .as("the disconnect listener has run by the close's end")
        .containsExactly("connect", "disconnect");
    assertThat(disconnected).containsExactly(id);
    assertListenersRanOnTheCallExecutor();
    assertThat(ws.next()).as("the client was told").isEqualTo("41");
    // Then the connection ends. Now and then a second 41 comes first: the client's own 40, still on
    // its way when the session ended, joins the ended session again (netty-socketio connects a
    // WebSocket session at the handshake and again on 40), and is ended as any such rejoin is.
    // The end is a WebSocket Close frame (opcode 8), as from Node's server, not a bare TCP close.
    List<String> after = new ArrayList<>();
    while (true) {
      try {
        after.add(ws.next());
      } catch (java.io.EOFException | java.net.SocketException end) {
        after.add("end without a Close frame");
        break;
      } catch (java.io.IOException frame) {
        assertThat(frame).hasMessageEndingWith("got opcode 8");
        after.add("Close frame");
        break;
      }
    }
    assertThat(after)
        .as("after the 41, nothing but repeated 41s and the Close frame")
        .last()
        .isEqualTo("Close frame");
    assertThat(after.subList(0, after.size() - 1)).allMatch("41"::equals);
  }

  @Test
  void pollingClientGoneSilent_pingTimeoutRunsTheDisconnectListenerOnce() throws Exception {
    Server server =
        start(
            SocketIoTransport.builder()
                .pingInterval(Duration.ofMillis(200))
                .pingTimeout(Duration.ofMillis(300)));
    String base =
        "http://127.0.0.1:" + server.port("socketio") + "/socket.io/?EIO=4&transport=polling";
    String open = get(URI.create(base));
    assertThat(open).startsWith("0{");
    int at = open.indexOf("\"sid\":\"") + 7;
    String sid = open.substring(at, open.indexOf('"', at));
    URI session = URI.create(base + "&sid=" + sid);
    HttpResponse<String> join =
        http.send(
            HttpRequest.newBuilder(session).POST(HttpRequest.BodyPublishers.ofString("40")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(join.statusCode()).isEqualTo(200);
    assertThat(get(session)).as("its join answered (after a ping, maybe)").contains("40{\"sid\"");
    assertThat(connected.poll(10, TimeUnit.SECONDS)).isEqualTo(sid);

    // The client polls no more and answers no ping: only the ping timeout can end its session.
    assertThat(disconnected.poll(10, TimeUnit.SECONDS)).isEqualTo(sid);

    server.close(); // waits for every listener call: nothing of this session can come after it
    assertThat(eventsOf(sid)).containsExactly("connect", "disconnect");
    assertThat(disconnected).isEmpty();
    assertListenersRanOnTheCallExecutor();
  }

  @Test
  void webSocketClientGoneSilent_pingTimeoutRunsTheDisconnectListenerOnce() throws Exception {
    Server server =
        start(
            SocketIoTransport.builder()
                .pingInterval(Duration.ofMillis(200))
                .pingTimeout(Duration.ofMillis(300)));
    // A connection that stays open but never reads nor answers a ping after joining.
    java.net.Socket silent = new java.net.Socket();
    cleanup.add(silent);
    silent.connect(new InetSocketAddress("127.0.0.1", server.port("socketio")));
    OutputStream out = silent.getOutputStream();
    out.write(
        ("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    InputStream in = silent.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      head.write(in.read());
    }
    assertThat(head.toString(StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 101");
    // A masked text frame "40" (mask 0): join the main namespace.
    out.write(new byte[] {(byte) 0x81, (byte) 0x82, 0, 0, 0, 0, '4', '0'});
    out.flush();
    String id = connected.poll(10, TimeUnit.SECONDS);
    assertThat(id).isNotNull();

    assertThat(disconnected.poll(10, TimeUnit.SECONDS)).isEqualTo(id);

    server.close(); // waits for every listener call: nothing of this session can come after it
    assertThat(eventsOf(id)).containsExactly("connect", "disconnect");
    assertThat(disconnected).isEmpty();
    assertListenersRanOnTheCallExecutor();
  }

  private String get(URI uri) throws Exception {
    HttpResponse<String> r =
        http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }
}
