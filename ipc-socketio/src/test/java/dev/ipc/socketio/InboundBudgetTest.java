package dev.ipc.socketio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.Task;
import dev.ipc.core.TaskService;
import dev.ipc.socketio.DirectWritesTest.TcpWebSocket;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The server-wide budget for incoming messages not yet whole: a connection that would go beyond it
 * is refused as its protocol says and closed, the others are served, and every byte is given back.
 */
@Timeout(60)
class InboundBudgetTest {
  private final List<AutoCloseable> cleanup = new ArrayList<>();
  private DefaultSocketIoServer running;

  @AfterEach
  void closeAll() throws Exception {
    for (int i = cleanup.size() - 1; i >= 0; i--) {
      cleanup.get(i).close();
    }
  }

  private int start(long budget) {
    Server server =
        Running.start(
            SocketIoTransport.builder().maxBufferedBytes(budget),
            Reference.services(),
            r -> running = r);
    cleanup.add(server);
    return server.port("socketio");
  }

  private TcpWebSocket webSocket(int port) throws Exception {
    TcpWebSocket ws = TcpWebSocket.connect(port, 0);
    cleanup.add(ws);
    return ws;
  }

  /** Waits up to 10 s until the server holds {@code n} bytes of partial messages. */
  private void awaitBuffered(long n) {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (running.bufferedBytes() != n) {
      assertThat(System.nanoTime() - deadline)
          .as("still %d bytes held after 10 s, expected %d", running.bufferedBytes(), n)
          .isNegative();
      Thread.yield();
    }
  }

  @Test
  void webSocket_aMessageBeyondTheBudgetIsClosed1013_othersAreServed() throws Exception {
    int port = start(300_000);
    TcpWebSocket a = webSocket(port);
    TcpWebSocket b = webSocket(port);
    TcpWebSocket c = webSocket(port);
    awaitBuffered(0);

    byte[] big =
        TcpWebSocket.frame("421[\"dating:eating\",{\"food\":\"" + "a".repeat(250_000) + "\"}]");
    a.write(big, 0, 200_000);
    awaitBuffered(200_000);
    // 200,000 + 100,001 > 300,000: refused on the last byte it sends, so none is left unread.
    byte[] other =
        TcpWebSocket.frame("422[\"dating:eating\",{\"food\":\"" + "b".repeat(150_000) + "\"}]");
    b.write(other, 0, 100_001);
    assertThat(b.closeStatus()).as("try again later").isEqualTo(1013);
    assertThat(b.closedByServer()).isTrue();
    assertThat(running.bufferedBytes())
        .as("the refused connection's bytes are given back")
        .isEqualTo(200_000);

    c.send("423[\"dating:eating\",{\"food\":\"soup\"}]");
    assertThat(c.next()).isEqualTo("433[{\"feeling\":true}]");

    a.write(big, 200_000, big.length - 200_000);
    assertThat(a.next())
        .as("the message under the budget is served whole")
        .isEqualTo("431[{\"feeling\":true}]");
    awaitBuffered(0);
  }

  @Test
  void polling_aBodyBeyondTheBudgetIs503_andALeavingClientGivesItsBytesBack() throws Exception {
    int port = start(300_000);
    String head =
        "POST /socket.io/?EIO=4&transport=polling&sid=none HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n";
    Socket a = new Socket("127.0.0.1", port);
    cleanup.add(a);
    byte[] aHead = (head + "Content-Length: 250000\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    a.getOutputStream().write(aHead);
    a.getOutputStream().write(new byte[200_000]);
    awaitBuffered(aHead.length + 200_000);

    try (Socket b = new Socket("127.0.0.1", port)) {
      b.setSoTimeout(10_000);
      byte[] bHead = (head + "Content-Length: 200000\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
      OutputStream out = b.getOutputStream();
      out.write(bHead);
      try {
        out.write(new byte[150_000]); // 200,000 + 150,000 > 300,000
      } catch (java.net.SocketException closedMeanwhile) {
        // refused and closed before all of it went: the answer is read below all the same
      }
      String answer = readAll(b.getInputStream());
      assertThat(answer)
          .startsWith("HTTP/1.1 503 ")
          .contains("retry-after: 1", "connection: close");
    }
    assertThat(running.bufferedBytes()).isEqualTo(aHead.length + 200_000);

    SocketIoClient polling =
        SocketIoClient.builder().target("127.0.0.1", port).transports("polling").build();
    cleanup.add(polling);
    assertThat(polling.service(TaskService.DESCRIPTOR).get(1)).isEqualTo(new Task(1, "task1"));

    a.close();
    awaitBuffered(0);
  }

  @Test
  void polling_aBodyTooLargeIs413_andCountedAtMostOneMessage() throws Exception {
    Server server =
        Running.start(
            SocketIoTransport.builder().maxPayload(100_000).maxBufferedBytes(300_000),
            Reference.services(),
            r -> running = r);
    cleanup.add(server);
    try (Socket a = new Socket("127.0.0.1", server.port("socketio"))) {
      a.setSoTimeout(10_000);
      OutputStream out = a.getOutputStream();
      out.write(
          ("POST /socket.io/?EIO=4&transport=polling&sid=none HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                  + "Content-Length: 5000000\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      // netty-socketio answers 413 and does not keep the body: at most one message's worth is
      // counted.
      out.write(new byte[1_000_000]);
      String status = new String(a.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
      assertThat(status).isEqualTo("HTTP/1.1 413");
      assertThat(running.bufferedBytes()).isLessThanOrEqualTo(100_000 + 65_536);
    }
    awaitBuffered(0);
  }

  /**
   * Reads until the server closes the connection; a reset (the server closed with our bytes unread)
   * ends it too, after what had arrived.
   */
  private static String readAll(InputStream in) throws Exception {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    try {
      for (int n; (n = in.read(buf)) != -1; ) {
        all.write(buf, 0, n);
      }
    } catch (java.net.SocketException reset) {
      // the answer came before the reset
    }
    return all.toString(StandardCharsets.US_ASCII);
  }
}
