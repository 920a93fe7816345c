package dev.ipc.socketio;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.Task;
import dev.ipc.core.TaskService;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Acks written by the call thread ({@link DirectWrites}): they must keep the session's order,
 * survive a socket that takes only part of them, and only be taken where they apply.
 */
@Timeout(60)
class DirectWritesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final List<AutoCloseable> cleanup = new ArrayList<>();
  private DefaultSocketIoServer running;

  @AfterEach
  void closeAll() throws Exception {
    for (int i = cleanup.size() - 1; i >= 0; i--) {
      cleanup.get(i).close();
    }
  }

  /** Starts the services on a Socket.IO transport and keeps its running server for its counters. */
  private Server start(SocketIoTransport.Builder builder, List<?> services) {
    Server server = Running.start(builder, services, r -> running = r);
    cleanup.add(server);
    return server;
  }

  /**
   * Waits up to 10 s until a frame met a full socket: the client reads nothing until then. No event
   * marks it but the server's counter, hence spinning on it (yielding the CPU to the writer); the
   * callers assert the count.
   */
  @SuppressWarnings("ThreadPriorityCheck") // the yield hands the shared CPU to the server threads
  private void awaitAPartWrittenFrame() {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (running.directRemainders() == 0 && System.nanoTime() - deadline < 0) {
      Thread.yield();
    }
  }

  @Test
  void webSocketAcks_areWrittenByTheCallThread_pollingAndCompressedOnesAreNot() throws Exception {
    Server server = start(SocketIoTransport.builder(), Reference.services());
    try (TcpWebSocket ws = TcpWebSocket.connect(server.port("socketio"), 0)) {
      for (int i = 0; i < 20; i++) {
        ws.send("42" + i + "[\"dating:eating\",{\"food\":\"steak\"}]");
        assertThat(ws.next()).isEqualTo("43" + i + "[{\"feeling\":true}]");
      }
    }
    // Not necessarily all 20: a call thread never waits for the loop, it takes the usual path
    // instead.
    long direct = running.directWrites();
    assertThat(direct).isPositive();

    SocketIoClient polling =
        SocketIoClient.builder()
            .target("127.0.0.1", server.port("socketio"))
            .transports("polling")
            .build();
    cleanup.add(polling);
    assertThat(polling.service(TaskService.DESCRIPTOR).get(1)).isEqualTo(new Task(1, "task1"));
    assertThat(running.directWrites()).isEqualTo(direct);

    Server compressed = start(SocketIoTransport.builder().compression(true), Reference.services());
    SocketIoClient ws =
        SocketIoClient.builder()
            .target("127.0.0.1", compressed.port("socketio"))
            .transports("websocket")
            .build();
    cleanup.add(ws);
    assertThat(ws.service(TaskService.DESCRIPTOR).get(1)).isEqualTo(new Task(1, "task1"));
    assertThat(running.directWrites()).isZero();
  }

  @Test
  void theBroadcastACallCausesReachesItsCallerBeforeItsAck() throws Exception {
    Server server = start(SocketIoTransport.builder(), Reference.services());
    try (TcpWebSocket ws = TcpWebSocket.connect(server.port("socketio"), 0)) {
      for (int i = 0; i < 300; i++) {
        ws.send("42" + i + "[\"task:put\",{\"id\":" + (10 + i) + ",\"name\":\"t" + i + "\"}]");
        assertThat(ws.next()).startsWith("42[\"task:saved\",{\"id\":" + (10 + i) + ",");
        assertThat(ws.next()).startsWith("43" + i + "[{\"id\":" + (10 + i) + ",");
      }
    }
  }

  @Test
  void acksTheSocketTakesOnlyInPart_arriveWholeAndInOrder() throws Exception {
    // 1,000 tasks of 200 characters: each task:list ack is a frame of about 230 KB.
    TaskService tasks = Reference.tasks();
    for (int i = 1; i <= 1000; i++) {
      tasks.put(new Task(i, String.valueOf((char) ('a' + i % 26)).repeat(200)));
    }
    Server server =
        start(SocketIoTransport.builder(), List.of(Reference.dating(), tasks, Reference.person()));
    int calls = 60;
    try (TcpWebSocket ws = TcpWebSocket.connect(server.port("socketio"), 4096)) {
      // The client reads nothing until every call is answered: ~14 MB against the socket buffers
      // (a few MB on loopback), so acks meet a full socket, the first of them part-way through.
      for (int i = 0; i < calls; i++) {
        ws.send("42" + i + "[\"task:list\",{}]");
      }
      awaitAPartWrittenFrame();
      assertThat(running.directRemainders()).isEqualTo(1);
      // Calls run side by side, so acks come in any order, each whole.
      java.util.Set<Integer> answered = new java.util.TreeSet<>();
      for (int i = 0; i < calls; i++) {
        String ack = ws.next();
        if (!ack.startsWith("43")) {
          throw new AssertionError(
              "expected an ack, got " + ack.substring(0, Math.min(80, ack.length())));
        }
        int bracket = ack.indexOf('[');
        answered.add(Integer.parseInt(ack.substring(2, bracket)));
        JsonNode list = JSON.readTree(ack.substring(bracket)).get(0);
        assertThat(list.size()).isEqualTo(1000);
        for (int t = 0; t < 1000; t++) {
          if (list.get(t).get("id").asLong() != t + 1
              || !list.get(t)
                  .get("name")
                  .asText()
                  .equals(String.valueOf((char) ('a' + (t + 1) % 26)).repeat(200))) {
            throw new AssertionError("ack " + i + ": task " + (t + 1) + " differs: " + list.get(t));
          }
        }
      }
      assertThat(answered).hasSize(calls).first().isEqualTo(0);
      assertThat(answered).last().isEqualTo(calls - 1);
      assertThat(running.directWrites()).isPositive().isLessThan(calls);
      // The session still answers.
      ws.send("42999[\"dating:eating\",{\"food\":\"steak\"}]");
      assertThat(ws.next()).isEqualTo("43999[{\"feeling\":true}]");
    }
  }

  /**
   * Starts a server whose host handler {@code shout} broadcasts its data as {@code heard}; returns
   * its port.
   */
  private int startShouting() {
    return start(
            SocketIoTransport.builder()
                .on("shout", (session, data, ack) -> session.broadcast("heard", data)),
            Reference.services())
        .port("socketio");
  }

  @Test
  void aBurstOfBroadcastsReachesEveryWebSocketAndPollingClientWhole() throws Exception {
    int port = startShouting();
    try (TcpWebSocket a = TcpWebSocket.connect(port, 0);
        TcpWebSocket b = TcpWebSocket.connect(port, 0);
        TcpWebSocket c = TcpWebSocket.connect(port, 0)) {
      SocketIoClient polling =
          SocketIoClient.builder().target("127.0.0.1", port).transports("polling").build();
      cleanup.add(polling);
      java.util.concurrent.BlockingQueue<Object> heardByPolling =
          new java.util.concurrent.LinkedBlockingQueue<>();
      polling.onEvent("heard", heardByPolling::add);
      // Subscribed on the server only once connected: a first call proves it.
      assertThat(polling.service(TaskService.DESCRIPTOR).get(1)).isEqualTo(new Task(1, "task1"));
      int shouts = 100;
      for (int i = 0; i < shouts; i++) {
        a.send("42[\"shout\",{\"n\":" + i + "}]");
      }
      // Host handlers run side by side: every shout is heard once by everyone, in any order.
      for (TcpWebSocket ws : List.of(a, b, c)) {
        java.util.Set<String> heard = new java.util.TreeSet<>();
        for (int i = 0; i < shouts; i++) {
          String m = ws.next();
          assertThat(m).startsWith("42[\"heard\",{\"n\":");
          heard.add(m);
        }
        assertThat(heard).hasSize(shouts);
      }
      // 100 events queue up for the polling client between its polls: netty-socketio's own encoder
      // lost the 51st of a poll response (see internal.WholePollingQueue).
      java.util.Set<Object> heardPolling = new java.util.HashSet<>();
      for (int i = 0; i < shouts; i++) {
        Object m = heardByPolling.poll(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(m).as("shout %d of %d over polling", i + 1, shouts).isNotNull();
        heardPolling.add(((java.util.Map<?, ?>) m).get("n"));
      }
      assertThat(heardPolling).hasSize(shouts);
      // Host handlers' acks never take this path: these are broadcasts.
      assertThat(running.directWrites()).isPositive();
    }
  }

  @Test
  void broadcastsTheSocketTakesOnlyInPart_arriveWhole() throws Exception {
    int port = startShouting();
    String big = "x".repeat(200_000);
    int shouts = 60;
    try (TcpWebSocket slow = TcpWebSocket.connect(port, 4096);
        TcpWebSocket shouter = TcpWebSocket.connect(port, 0)) {
      for (int i = 0; i < shouts; i++) {
        shouter.send("42[\"shout\",{\"n\":" + i + ",\"s\":\"" + big + "\"}]");
        shouter.next(); // read as it goes; only `slow` stops reading
      }
      awaitAPartWrittenFrame();
      assertThat(running.directRemainders()).isPositive();
      java.util.Set<Integer> heard = new java.util.TreeSet<>();
      for (int i = 0; i < shouts; i++) {
        JsonNode m = JSON.readTree(slow.next().substring(2));
        assertThat(m.get(0).asText()).isEqualTo("heard");
        assertThat(m.get(1).get("s").asText()).isEqualTo(big);
        heard.add(m.get(1).get("n").asInt());
      }
      assertThat(heard).hasSize(shouts);
    }
  }

  /**
   * A WebSocket over a plain socket, to control how much the client buffers and when it reads: the
   * JDK's client reads eagerly. Answers Engine.IO pings; hands every other text message over.
   */
  static final class TcpWebSocket implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private TcpWebSocket(Socket socket) throws IOException {
      this.socket = socket;
      this.in = new DataInputStream(socket.getInputStream());
      this.out = socket.getOutputStream();
    }

    /** Opens a session and joins the main namespace; {@code receiveBuffer} 0 keeps the default. */
    static TcpWebSocket connect(int port, int receiveBuffer) throws IOException {
      Socket s = new Socket();
      if (receiveBuffer > 0) {
        s.setReceiveBufferSize(receiveBuffer);
      }
      s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      s.setSoTimeout(10_000);
      TcpWebSocket ws = new TcpWebSocket(s);
      ws.out.write(
          ("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                  + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
        int b = ws.in.read();
        if (b < 0) {
          throw new IOException("closed during the handshake: " + head);
        }
        head.write(b);
      }
      assertThat(head.toString(StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 101");
      assertThat(ws.next()).startsWith("0{");
      ws.send("40");
      assertThat(ws.next()).startsWith("40{\"sid\"");
      return ws;
    }

    /** Returns the next text message, whole. */
    String next() throws IOException {
      while (true) {
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        boolean fin;
        int opcode = -1;
        do {
          int b0 = in.readUnsignedByte();
          int b1 = in.readUnsignedByte();
          fin = (b0 & 0x80) != 0;
          if (opcode < 0) {
            opcode = b0 & 0x0f;
          }
          long length = b1 & 0x7f;
          if (length == 126) {
            length = in.readUnsignedShort();
          } else if (length == 127) {
            length = in.readLong();
          }
          byte[] payload = new byte[(int) length];
          in.readFully(payload);
          message.write(payload);
        } while (!fin);
        if (opcode != 1) {
          throw new IOException("expected a text frame, got opcode " + opcode);
        }
        String text = message.toString(StandardCharsets.UTF_8);
        if (text.equals("2")) {
          send("3");
          continue;
        }
        return text;
      }
    }

    /** Sends one masked text frame. */
    void send(String text) throws IOException {
      byte[] frame = frame(text);
      write(frame, 0, frame.length);
    }

    /** Sends {@code length} bytes of {@code bytes} from {@code from}: a frame in parts, say. */
    void write(byte[] bytes, int from, int length) throws IOException {
      out.write(bytes, from, length);
      out.flush();
    }

    /** Reads the next frame, which must be a close frame, and returns its status code. */
    int closeStatus() throws IOException {
      int b0 = in.readUnsignedByte();
      int length = in.readUnsignedByte() & 0x7f;
      byte[] payload = new byte[length];
      in.readFully(payload);
      if ((b0 & 0x0f) != 8 || length < 2) {
        throw new IOException("expected a close frame, got opcode " + (b0 & 0x0f));
      }
      return ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
    }

    /** Returns whether the server closed the connection: the next read finds its end. */
    boolean closedByServer() throws IOException {
      try {
        return in.read() == -1;
      } catch (java.net.SocketException e) {
        return true; // reset: closed as well
      }
    }

    /** Returns {@code text} as one masked text frame, as a client sends it. */
    static byte[] frame(String text) {
      byte[] payload = text.getBytes(StandardCharsets.UTF_8);
      ByteArrayOutputStream frame = new ByteArrayOutputStream();
      frame.write(0x81);
      if (payload.length < 126) {
        frame.write(0x80 | payload.length);
      } else if (payload.length < 65536) {
        frame.write(0x80 | 126);
        frame.write(payload.length >>> 8);
        frame.write(payload.length);
      } else {
        frame.write(0x80 | 127);
        for (int shift = 56; shift >= 0; shift -= 8) {
          frame.write((int) ((long) payload.length >>> shift));
        }
      }
      byte[] mask = {0x12, 0x34, 0x56, 0x78};
      frame.writeBytes(mask);
      for (int i = 0; i < payload.length; i++) {
        frame.write(payload[i] ^ mask[i & 3]);
      }
      return frame.toByteArray();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
