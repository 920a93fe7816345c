package dev.ipc.grpc;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;

/**
 * A TCP proxy on 127.0.0.1, port 0, in front of a server, that reads the HTTP/2 frames going
 * through (client PINGs, server GOAWAYs) and can be frozen: it then stops forwarding in both
 * directions but keeps both sockets open and keeps reading them, like a peer that went silent
 * without closing (a pulled cable, a frozen VM). Reading on while frozen is what lets a test see
 * the server close its side.
 */
final class FreezableProxy implements AutoCloseable {
  private static final int PING = 6;
  private static final int GOAWAY = 7;
  private static final int ACK = 1;
  // The client's connection preface, before its first frame.
  private static final int PREFACE_LENGTH = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".length();

  private final ServerSocket listener;
  private final InetSocketAddress target;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final BlockingQueue<Connection> accepted = new LinkedBlockingQueue<>();

  /** One proxied connection and what was seen on it. */
  static final class Connection {
    /** Released once per PING (not ACK) the client sent. */
    final Semaphore clientPings = new Semaphore(0);

    /** Released once per PING (not ACK) the server sent while the connection was frozen. */
    final Semaphore serverPingsWhileFrozen = new Semaphore(0);

    /** Completes with the first GOAWAY the server sent. */
    final CompletableFuture<GoAway> serverGoAway = new CompletableFuture<>();

    /** Completes when the server closed (or reset) its socket. */
    final CompletableFuture<Void> serverClosed = new CompletableFuture<>();

    private volatile boolean frozen;

    /** Stops forwarding in both directions; sockets stay open and are still read. */
    void freeze() {
      frozen = true;
    }
  }

  /** A GOAWAY frame: its HTTP/2 error code and debug data. */
  record GoAway(long errorCode, String debugData) {}

  FreezableProxy(InetSocketAddress target) throws IOException {
    this.target = target;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::acceptLoop, "proxy-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Returns the proxy's port. */
  int port() {
    return listener.getLocalPort();
  }

  /** Returns the next connection the proxy accepted, in order. */
  BlockingQueue<Connection> accepted() {
    return accepted;
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket(target.getAddress(), target.getPort());
        sockets.add(client);
        sockets.add(server);
        Connection c = new Connection();
        pump(c, client, server, true);
        pump(c, server, client, false);
        accepted.add(c);
      } catch (IOException e) {
        return;
      }
    }
  }

  private void pump(Connection c, Socket from, Socket to, boolean fromClient) {
    Thread t =
        new Thread(
            () -> {
              FrameReader frames = new FrameReader(c, fromClient);
              byte[] buf = new byte[16 * 1024];
              try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                int n;
                while ((n = in.read(buf)) != -1) {
                  frames.feed(buf, n);
                  if (!c.frozen) {
                    out.write(buf, 0, n);
                    out.flush();
                  }
                }
              } catch (IOException e) {
                // Reset or closed by close(): either way this side is gone.
              }
              if (!fromClient) {
                c.serverClosed.complete(null);
              }
              if (!c.frozen) {
                closeQuietly(to);
              }
            },
            fromClient ? "proxy-up" : "proxy-down");
    t.setDaemon(true);
    t.start();
  }

  /** Splits one direction's bytes into HTTP/2 frames and records the interesting ones. */
  private static final class FrameReader {
    private final Connection c;
    private final boolean fromClient;
    private int prefaceLeft;
    private final byte[] header = new byte[9];
    private int headerFill;
    private int type;
    private int flags;
    private byte[] payload;
    private int payloadFill;

    FrameReader(Connection c, boolean fromClient) {
      this.c = c;
      this.fromClient = fromClient;
      this.prefaceLeft = fromClient ? PREFACE_LENGTH : 0;
    }

    void feed(byte[] buf, int n) {
      int i = 0;
      while (i < n) {
        if (prefaceLeft > 0) {
          int skip = Math.min(prefaceLeft, n - i);
          prefaceLeft -= skip;
          i += skip;
        } else if (payload == null) {
          header[headerFill++] = buf[i++];
          if (headerFill == 9) {
            int length = (header[0] & 0xff) << 16 | (header[1] & 0xff) << 8 | (header[2] & 0xff);
            type = header[3] & 0xff;
            flags = header[4] & 0xff;
            payload = new byte[length];
            payloadFill = 0;
            headerFill = 0;
            if (length == 0) {
              frame();
            }
          }
        } else {
          int take = Math.min(payload.length - payloadFill, n - i);
          System.arraycopy(buf, i, payload, payloadFill, take);
          payloadFill += take;
          i += take;
          if (payloadFill == payload.length) {
            frame();
          }
        }
      }
    }

    private void frame() {
      if (fromClient && type == PING && (flags & ACK) == 0) {
        c.clientPings.release();
      } else if (!fromClient && type == PING && (flags & ACK) == 0 && c.frozen) {
        c.serverPingsWhileFrozen.release();
      } else if (!fromClient && type == GOAWAY && payload.length >= 8) {
        long code =
            (payload[4] & 0xffL) << 24
                | (payload[5] & 0xff) << 16
                | (payload[6] & 0xff) << 8
                | (payload[7] & 0xff);
        String debug = new String(payload, 8, payload.length - 8, StandardCharsets.US_ASCII);
        c.serverGoAway.complete(new GoAway(code, debug));
      }
      payload = null;
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // Closing anyway.
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
    for (Socket s : sockets) {
      closeQuietly(s);
    }
  }
}
